#ifndef CRM_SERVICES_IDENTIFY_TEXT_NORMALIZE_H_
#define CRM_SERVICES_IDENTIFY_TEXT_NORMALIZE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace crm::identify {

// Maps full-width ASCII variants (U+FF01..U+FF5E) to ASCII and Unicode spaces
// (U+3000, U+00A0, U+2000..U+200A, U+202F, U+205F) to ' ', then trims and
// collapses whitespace runs to one space. Invalid UTF-8 is copied byte-wise.
std::string FoldWidthAndSpace(absl::string_view utf8);

// Returns the E.164 form ("+8613812345678") of a phone number written
// internationally ("+86 ...", "0086 ...") or nationally in `default_region`
// (ISO 3166 alpha-2: CN, US, CA, GB, AU, DE, FR, JP, HK, SG, TW). An empty
// `default_region` accepts international numbers only. INVALID_ARGUMENT when
// the number is malformed or has the wrong length for its country; messages
// never contain the input's digits.
absl::StatusOr<std::string> NormalizePhone(absl::string_view raw, absl::string_view default_region);

// Returns the trimmed, ASCII lower-cased address; INVALID_ARGUMENT (without
// the address in the message) unless it is local@domain.tld with a 1-64 byte
// local part, LDH domain labels and at most 254 bytes in total.
absl::StatusOr<std::string> NormalizeEmail(absl::string_view raw);

// Normalizes card numbers, registration codes and national ids
// (`upper_case`: spaces and hyphens removed, ASCII upper-cased) or external
// and device ids (!`upper_case`: only trimmed, case and inner spaces kept).
// Both fold full-width characters. INVALID_ARGUMENT unless the result is
// 1-128 bytes without control characters.
absl::StatusOr<std::string> NormalizeCode(absl::string_view raw, bool upper_case);

}  // namespace crm::identify

#endif  // CRM_SERVICES_IDENTIFY_TEXT_NORMALIZE_H_
