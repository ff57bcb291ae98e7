#ifndef CRM_COMMON_TEXT_H_
#define CRM_COMMON_TEXT_H_

#include "absl/strings/string_view.h"
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace crm {

// Decodes the code point at s[i] and advances i past it; returns -1 and
// leaves i unchanged for anything that is not well-formed UTF-8 (overlong
// forms, surrogates, beyond U+10FFFF).
int32_t DecodeUtf8CodePoint(absl::string_view s, size_t& i);

// Number of Unicode code points, or npos when `s` is not valid UTF-8.
size_t Utf8Length(absl::string_view s);

// Trims ASCII whitespace and checks that `field` holds valid UTF-8 of
// min..max code points without control characters; INVALID_ARGUMENT
// (INVALID_FIELD, metadata field=<field>) otherwise.
absl::Status CheckText(absl::string_view field, std::string& value, size_t min, size_t max);

}  // namespace crm

#endif  // CRM_COMMON_TEXT_H_
