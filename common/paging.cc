#include "common/paging.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/sql_util.h"

namespace crm {
namespace {

std::string Fingerprint(absl::string_view filter) { return Sha256Hex(filter).substr(0, 16); }

absl::Status BadToken() {
  return Error(absl::StatusCode::kInvalidArgument, "INVALID_PAGE_TOKEN",
               "page_token does not come from a previous response to this request",
               {{"field", "page_token"}});
}

}  // namespace

std::string EncodePageToken(absl::string_view cursor, absl::string_view filter_fingerprint) {
  return absl::WebSafeBase64Escape(absl::StrCat(Fingerprint(filter_fingerprint), cursor));
}

absl::StatusOr<std::string> DecodePageToken(absl::string_view token,
                                            absl::string_view filter_fingerprint) {
  if (token.empty()) return std::string();
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw) || raw.size() <= 16 ||
      raw.substr(0, 16) != Fingerprint(filter_fingerprint)) {
    return BadToken();
  }
  return raw.substr(16);
}

absl::StatusOr<int> PageSize(int requested, int default_size, int max_size) {
  if (requested == 0) return default_size;
  if (requested < 0 || requested > max_size) {
    return InvalidArgument("page_size", absl::StrCat("must be between 1 and ", max_size));
  }
  return requested;
}

}  // namespace crm
