#include "common/text.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"

namespace crm {

size_t Utf8Length(absl::string_view s) {
  size_t count = 0;
  for (size_t i = 0; i < s.size(); ++count) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (len == 0 || i + len > s.size()) return absl::string_view::npos;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return absl::string_view::npos;
    }
    i += len;
  }
  return count;
}

absl::Status CheckText(absl::string_view field, std::string& value, size_t min, size_t max) {
  value = std::string(absl::StripAsciiWhitespace(value));
  size_t length = Utf8Length(value);
  if (length == absl::string_view::npos) return InvalidArgument(field, "is not valid UTF-8");
  for (char c : value) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
      return InvalidArgument(field, "contains control characters");
    }
  }
  if (length < min || length > max) {
    return InvalidArgument(field, min == 0 ? absl::StrCat("must be at most ", max, " characters")
                                           : absl::StrCat("must be ", min, "-", max, " characters"));
  }
  return absl::OkStatus();
}

}  // namespace crm
