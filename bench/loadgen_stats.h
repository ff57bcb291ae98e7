#ifndef CRM_BENCH_LOADGEN_STATS_H_
#define CRM_BENCH_LOADGEN_STATS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/types/span.h"

namespace crm::bench {

// The nearest-rank percentile of ascending `sorted` samples: the smallest
// sample with at least `percent`% of the samples at or below it. 0 when
// there are no samples. `percent` is in (0, 100], resolved to 1e-4 %, so
// 99.9 means exactly 999/1000.
int64_t PercentileOfSorted(absl::Span<const int64_t> sorted, double percent);

// Latency of a set of calls, in milliseconds.
struct LatencySummary {
  int64_t count = 0;
  double mean_ms = 0;
  double p50_ms = 0;
  double p90_ms = 0;
  double p99_ms = 0;
  double p999_ms = 0;
  double max_ms = 0;
};

// Summarises latencies given in nanoseconds (sorts them in place).
LatencySummary Summarize(std::vector<int64_t>* latencies_ns);

// What one thread of the load generator saw in the measured window. Threads
// each fill their own, merged at the end, so nothing is shared per call.
struct CallStats {
  int64_t sent = 0;                       // calls started in the window
  int64_t ok = 0;                         // calls finished OK in the window
  std::map<std::string, int64_t> errors;  // failed calls by gRPC code name
  std::vector<int64_t> latencies_ns;      // of the OK calls

  int64_t error_count() const;
  void Merge(CallStats other);
};

}  // namespace crm::bench

#endif  // CRM_BENCH_LOADGEN_STATS_H_
