#include "bench/loadgen_stats.h"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace crm::bench {
namespace {

double ToMs(int64_t ns) { return static_cast<double>(ns) / 1e6; }

}  // namespace

int64_t PercentileOfSorted(absl::Span<const int64_t> sorted, double percent) {
  if (sorted.empty()) return 0;
  // Integer rank arithmetic in parts per million avoids 99.9 * n / 100
  // landing a hair above an integer and picking the next sample.
  const auto n = static_cast<uint64_t>(sorted.size());
  const auto ppm =
      static_cast<uint64_t>(std::clamp<int64_t>(std::llround(percent * 1e4), 1, 1000000));
  uint64_t rank = (n * ppm + 999999) / 1000000;  // 1-based, ceil
  return sorted[std::clamp<uint64_t>(rank, 1, n) - 1];
}

LatencySummary Summarize(std::vector<int64_t>* latencies_ns) {
  std::sort(latencies_ns->begin(), latencies_ns->end());
  const std::vector<int64_t>& v = *latencies_ns;
  LatencySummary s;
  s.count = static_cast<int64_t>(v.size());
  if (v.empty()) return s;
  long double total = 0;
  for (int64_t ns : v) total += ns;
  s.mean_ms = static_cast<double>(total / v.size()) / 1e6;
  s.p50_ms = ToMs(PercentileOfSorted(v, 50));
  s.p90_ms = ToMs(PercentileOfSorted(v, 90));
  s.p99_ms = ToMs(PercentileOfSorted(v, 99));
  s.p999_ms = ToMs(PercentileOfSorted(v, 99.9));
  s.max_ms = ToMs(v.back());
  return s;
}

int64_t CallStats::error_count() const {
  int64_t total = 0;
  for (const auto& [code, count] : errors) total += count;
  return total;
}

void CallStats::Merge(CallStats other) {
  sent += other.sent;
  ok += other.ok;
  for (const auto& [code, count] : other.errors) errors[code] += count;
  if (latencies_ns.empty()) {
    latencies_ns = std::move(other.latencies_ns);
  } else {
    latencies_ns.insert(latencies_ns.end(), other.latencies_ns.begin(), other.latencies_ns.end());
  }
}

}  // namespace crm::bench
