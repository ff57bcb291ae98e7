#ifndef CRM_SERVICES_SEGMENT_ENGINE_VALUE_CLASSES_H_
#define CRM_SERVICES_SEGMENT_ENGINE_VALUE_CLASSES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/types/span.h"

namespace crm::segment {

// ABC classes by cumulative value share: customers ranked by value, best
// first; "A" while the value of the customers ranked strictly above is under
// 80 % of the total, "B" under 95 %, "C" after that and for customers with
// no positive value. Ties share the class of the best of them.
std::vector<std::string> AbcClasses(absl::Span<const double> values);

// The current-vs-potential value matrix: current value (spend) against
// potential (predicted CLV), each high at or above its median. strategic
// (high, high: invest and keep), grow (low current, high potential: invest
// to grow), maintain (high current, low potential: keep at a lower cost),
// reduce (low, low: reduce the cost of serving or let go). Empty where the
// potential is unknown.
std::vector<std::string> ValueQuadrants(absl::Span<const double> current,
                                        absl::Span<const std::optional<double>> potential);

}  // namespace crm::segment

#endif  // CRM_SERVICES_SEGMENT_ENGINE_VALUE_CLASSES_H_
