#ifndef CRM_SERVICES_IDENTIFY_SIMILARITY_H_
#define CRM_SERVICES_IDENTIFY_SIMILARITY_H_

#include <string>

#include "absl/strings/string_view.h"

namespace crm::identify {

// String comparisons work on Unicode code points decoded from UTF-8 (each
// invalid byte counts as one unit) and ignore ASCII case.

// Jaro-Winkler similarity in [0, 1] with prefix scale 0.1 over at most 4
// characters (no boost threshold). 0.0 when either side is empty: a missing
// value is not agreement.
double JaroWinkler(absl::string_view a, absl::string_view b);

// Edit distance (insertions, deletions, substitutions) in code points.
int Levenshtein(absl::string_view a, absl::string_view b);

enum class DateAgreement { kExact, kTransposed, kOneDigit, kSameYear, kDisagree, kMissing };

// Compares "YYYYMMDD" dates. kTransposed: day and month swapped, or one
// adjacent-digit swap; kOneDigit: exactly one digit differs; kSameYear: equal
// years. kMissing unless both sides are exactly 8 ASCII digits.
DateAgreement CompareDates(absl::string_view a, absl::string_view b);

enum class NumberAgreement { kExact, kClose, kDisagree, kMissing };

// Compares house numbers, postcodes and the like after trimming whitespace.
// kClose: both start with an integer ("12a" -> 12) and these differ by at
// most `close_within` or the strings are one edit apart ("2600"/"2601").
// Values without a leading integer only agree exactly. kMissing when either
// side is empty.
NumberAgreement CompareNumbers(absl::string_view a, absl::string_view b, int close_within);

// American Soundex ("R163") of the ASCII letters in `name`. A name without
// ASCII letters (e.g. Chinese) yields its first two non-whitespace code
// points unchanged, so such names block on their leading characters; "" when
// there are none.
std::string Soundex(absl::string_view name);

}  // namespace crm::identify

#endif  // CRM_SERVICES_IDENTIFY_SIMILARITY_H_
