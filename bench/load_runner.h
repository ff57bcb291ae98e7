#ifndef CRM_BENCH_LOAD_RUNNER_H_
#define CRM_BENCH_LOAD_RUNNER_H_

#include <string>

#include "common/tls.h"

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bench/loadgen_stats.h"
#include "bench/request_factory.h"

namespace crm::bench {

struct LoadConfig {
  std::string target;  // host:port
  std::string path;    // "/pkg.Service/Method"
  int concurrency = 32;
  int connections = 1;
  int threads = 2;
  absl::Duration warmup = absl::Seconds(1);
  absl::Duration duration = absl::Seconds(10);
  absl::Duration timeout = absl::Seconds(5);
  TlsConfig tls;      // mutual TLS when enabled
  std::string token;  // bearer token, sent as "authorization: Bearer ..." when set
};

// Runs a closed loop: `concurrency` calls are always in flight, each
// replaced by the next as soon as it finishes, spread over `connections`
// channels and `threads` completion queues. Counts only what falls in the
// window [warmup, warmup + duration): calls started (sent) and calls
// finished (ok, errors, latency). At the end of the window no new call is
// started and the ones in flight are left to finish (within `timeout`)
// uncounted; they are not cancelled, so servers see no spurious failures.
//
// UNAVAILABLE when a channel cannot connect within `timeout`.
absl::StatusOr<CallStats> RunLoad(const LoadConfig& config, RequestFactory* requests);

}  // namespace crm::bench

#endif  // CRM_BENCH_LOAD_RUNNER_H_
