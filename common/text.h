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

// True for a code name: 1..max_size lower-case ASCII letters, digits and
// '_', starting with a letter (e.g. "vip", "product_quality").
bool IsCodeName(absl::string_view name, size_t max_size);

// INVALID_ARGUMENT naming `field` unless `name` is a code name, or empty
// when `optional`.
absl::Status CheckCodeName(absl::string_view field, absl::string_view name, size_t max_size,
                           bool optional = false);

}  // namespace crm

#endif  // CRM_COMMON_TEXT_H_
