#include "bench/loadgen_report.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"

namespace crm::bench {
namespace {

// Rounds to `decimals` places so that JSON shows e.g. 0.123, not 0.12300000000000001.
double Round(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

double Ms(double value) { return Round(value, 3); }

}  // namespace

int64_t RunReport::error_count() const {
  int64_t total = 0;
  for (const auto& [code, count] : errors) total += count;
  return total;
}

double RunReport::rps() const {
  return duration_s > 0 ? static_cast<double>(completed()) / duration_s : 0;
}

double RunReport::ok_rps() const {
  return duration_s > 0 ? static_cast<double>(ok) / duration_s : 0;
}

RunReport MakeReport(CallStats stats) {
  RunReport report;
  report.sent = stats.sent;
  report.ok = stats.ok;
  report.errors = std::move(stats.errors);
  report.latency = Summarize(&stats.latencies_ns);
  return report;
}

std::string ReportText(const RunReport& r) {
  std::string errors = "none";
  if (!r.errors.empty()) errors = absl::StrJoin(r.errors, " ", absl::PairFormatter("="));
  const LatencySummary& l = r.latency;
  return absl::StrFormat(
      "crm-loadgen %s\n"
      "  target       %s %s\n"
      "  load         %d in flight over %d connection(s), %d thread(s)\n"
      "  window       %.3f s after %.3f s warmup\n"
      "  calls        %d sent, %d completed, %d ok, %d failed\n"
      "  errors       %s\n"
      "  throughput   %.1f calls/s (%.1f ok/s)\n"
      "  latency ms   p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  mean %.3f"
      "  (ok calls)\n",
      r.label.empty() ? "run" : r.label, r.target, r.method, r.concurrency, r.connections,
      r.threads, r.duration_s, r.warmup_s, r.sent, r.completed(), r.ok, r.error_count(), errors,
      r.rps(), r.ok_rps(), l.p50_ms, l.p90_ms, l.p99_ms, l.p999_ms, l.max_ms, l.mean_ms);
}

std::string ReportJson(const RunReport& r) {
  nlohmann::ordered_json errors = nlohmann::ordered_json::object();
  for (const auto& [code, count] : r.errors) errors[code] = count;
  const LatencySummary& l = r.latency;
  nlohmann::ordered_json json = {
      {"label", r.label},
      {"target", r.target},
      {"method", r.method},
      {"concurrency", r.concurrency},
      {"connections", r.connections},
      {"threads", r.threads},
      {"warmup_s", r.warmup_s},
      {"duration_s", r.duration_s},
      {"sent", r.sent},
      {"completed", r.completed()},
      {"ok", r.ok},
      {"error_count", r.error_count()},
      {"errors", errors},
      {"rps", Round(r.rps(), 1)},
      {"ok_rps", Round(r.ok_rps(), 1)},
      {"latency_ms",
       {{"p50", Ms(l.p50_ms)},
        {"p90", Ms(l.p90_ms)},
        {"p99", Ms(l.p99_ms)},
        {"p999", Ms(l.p999_ms)},
        {"max", Ms(l.max_ms)},
        {"mean", Ms(l.mean_ms)}}},
  };
  return json.dump();
}

}  // namespace crm::bench
