#include "services/segment/engine/value_classes.h"

#include <algorithm>
#include <numeric>

namespace crm::segment {
namespace {

// The median of `values`: the upper middle one of an even count, so that
// "at or above the median" is at most half the customers when values differ.
double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  return *middle;
}

}  // namespace

std::vector<std::string> AbcClasses(absl::Span<const double> values) {
  const size_t n = values.size();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return values[a] > values[b]; });
  double total = 0;
  for (double v : values) total += std::max(0.0, v);
  std::vector<std::string> classes(n, "C");
  double above = 0;      // value of the customers ranked strictly above
  double tie_above = 0;  // the same, for the first of the current tie
  for (size_t i = 0; i < n; ++i) {
    const double v = values[order[i]];
    if (v <= 0 || total <= 0) break;
    if (i == 0 || v != values[order[i - 1]]) tie_above = above;
    const double share = tie_above / total;
    classes[order[i]] = share < 0.80 ? "A" : share < 0.95 ? "B" : "C";
    above += v;
  }
  return classes;
}

std::vector<std::string> ValueQuadrants(absl::Span<const double> current,
                                        absl::Span<const std::optional<double>> potential) {
  std::vector<double> known;
  for (const auto& p : potential) {
    if (p.has_value()) known.push_back(*p);
  }
  const double current_median = Median({current.begin(), current.end()});
  const double potential_median = Median(known);
  std::vector<std::string> quadrants(current.size());
  for (size_t i = 0; i < current.size(); ++i) {
    if (!potential[i].has_value()) continue;
    const bool high_now = current[i] >= current_median;
    const bool high_later = *potential[i] >= potential_median;
    quadrants[i] =
        high_now ? (high_later ? "strategic" : "maintain") : (high_later ? "grow" : "reduce");
  }
  return quadrants;
}

}  // namespace crm::segment
