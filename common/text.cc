#include "common/text.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"

namespace crm {

namespace {

bool IsControl(int32_t cp) {
  return (cp < 0x20 && cp != '\n' && cp != '\t') || (cp >= 0x7f && cp <= 0x9f);
}

}  // namespace

int32_t DecodeUtf8CodePoint(absl::string_view s, size_t& i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
  if (len == 0 || i + len > s.size()) return -1;
  int32_t cp = len == 1 ? c : c & (0xff >> (len + 1));
  for (size_t k = 1; k < len; ++k) {
    unsigned char next = static_cast<unsigned char>(s[i + k]);
    if ((next & 0xc0) != 0x80) return -1;
    cp = (cp << 6) | (next & 0x3f);
  }
  static constexpr int32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMinForLength[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return -1;
  i += len;
  return cp;
}

size_t Utf8Length(absl::string_view s) {
  size_t count = 0;
  for (size_t i = 0; i < s.size(); ++count) {
    if (DecodeUtf8CodePoint(s, i) < 0) return absl::string_view::npos;
  }
  return count;
}

absl::Status CheckText(absl::string_view field, std::string& value, size_t min, size_t max) {
  value = std::string(absl::StripAsciiWhitespace(value));
  size_t length = Utf8Length(value);
  if (length == absl::string_view::npos) return InvalidArgument(field, "is not valid UTF-8");
  for (size_t i = 0; i < value.size();) {
    if (IsControl(DecodeUtf8CodePoint(value, i))) {
      return InvalidArgument(field, "contains control characters");
    }
  }
  if (length < min || length > max) {
    return InvalidArgument(field, min == 0 ? absl::StrCat("must be at most ", max, " characters")
                                           : absl::StrCat("must be ", min, "-", max, " characters"));
  }
  return absl::OkStatus();
}

bool IsCodeName(absl::string_view name, size_t max_size) {
  if (name.empty() || name.size() > max_size || !absl::ascii_islower(name[0])) return false;
  for (char c : name) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '_') return false;
  }
  return true;
}

absl::Status CheckCodeName(absl::string_view field, absl::string_view name, size_t max_size,
                           bool optional) {
  if ((optional && name.empty()) || IsCodeName(name, max_size)) return absl::OkStatus();
  return InvalidArgument(field, absl::StrCat("must be 1-", max_size,
                                             " lower-case letters, digits and '_', starting "
                                             "with a letter"));
}

}  // namespace crm
