#ifndef CRM_BENCH_LOADGEN_REPORT_H_
#define CRM_BENCH_LOADGEN_REPORT_H_

#include <cstdint>
#include <map>
#include <string>

#include "bench/loadgen_stats.h"

namespace crm::bench {

// The result of one crm-loadgen run.
struct RunReport {
  std::string label;
  std::string target;
  std::string method;  // pkg.Service/Method
  int concurrency = 0;
  int connections = 0;
  int threads = 0;
  double warmup_s = 0;
  double duration_s = 0;                  // the measured window
  int64_t sent = 0;                       // calls started in the window
  int64_t ok = 0;                         // calls that finished OK in the window
  std::map<std::string, int64_t> errors;  // failed calls by gRPC code name
  LatencySummary latency;                 // of the OK calls

  int64_t error_count() const;
  int64_t completed() const { return ok + error_count(); }
  double rps() const;     // completed calls per second
  double ok_rps() const;  // OK calls per second
};

RunReport MakeReport(CallStats stats);

// A few aligned lines for people.
std::string ReportText(const RunReport& report);

// The same numbers as one line of JSON (no newline); rates rounded to 0.1/s,
// latencies to 1 us.
std::string ReportJson(const RunReport& report);

}  // namespace crm::bench

#endif  // CRM_BENCH_LOADGEN_REPORT_H_
