#include "common/server_config.h"

#include <malloc.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/errors.h"
#include "common/log.h"

ABSL_FLAG(std::string, listen, "", "gRPC listen address (default 0.0.0.0:<service port>)");
ABSL_FLAG(std::string, metrics_listen, "",
          "Prometheus /metrics address (default 0.0.0.0:<metrics port>; 'off' disables)");
ABSL_FLAG(std::string, health_listen, "",
          "Plaintext gRPC address serving only grpc.health.v1.Health, for probes that cannot "
          "present a client certificate (Kubernetes gRPC probes); empty = off");
ABSL_FLAG(int, max_threads, 256,
          "Upper bound on gRPC server threads; calls beyond it get RESOURCE_EXHAUSTED");
ABSL_FLAG(absl::Duration, shutdown_delay, absl::ZeroDuration(),
          "On SIGTERM, report NOT_SERVING this long before draining");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(20),
          "On SIGTERM, wait this long for in-flight calls before cancelling them");
ABSL_FLAG(absl::Duration, max_connection_age, absl::Minutes(5),
          "Clients reconnect after this long, so that new replicas get traffic");
ABSL_FLAG(absl::Duration, readiness_interval, absl::Seconds(2),
          "How often dependencies (the database) are checked for health");

namespace crm {
namespace {

bool ValidAddress(absl::string_view address) {
  auto colon = address.rfind(':');
  int port = 0;
  return colon != absl::string_view::npos && colon > 0 &&
         absl::SimpleAtoi(address.substr(colon + 1), &port) && port > 0 && port <= 65535;
}

}  // namespace

absl::Status ServerConfig::Validate() const {
  auto bad = [](absl::string_view why) {
    return Error(absl::StatusCode::kInvalidArgument, "BAD_SERVER_CONFIG", why);
  };
  if (service.empty()) return bad("service name is empty");
  if (!ValidAddress(listen)) return bad(absl::StrCat("--listen '", listen, "' is not host:port"));
  if (!metrics_listen.empty() && !ValidAddress(metrics_listen)) {
    return bad(absl::StrCat("--metrics_listen '", metrics_listen, "' is not host:port"));
  }
  if (!health_listen.empty() && !ValidAddress(health_listen)) {
    return bad(absl::StrCat("--health_listen '", health_listen, "' is not host:port"));
  }
  if (max_threads < 4 || max_threads > 4096) return bad("--max_threads must be 4-4096");
  if (shutdown_delay < absl::ZeroDuration()) return bad("--shutdown_delay must be >= 0");
  if (shutdown_grace <= absl::ZeroDuration()) return bad("--shutdown_grace must be > 0");
  if (max_connection_age < absl::Seconds(1)) return bad("--max_connection_age must be >= 1s");
  if (readiness_interval < absl::Milliseconds(100)) {
    return bad("--readiness_interval must be >= 100ms");
  }
  return absl::OkStatus();
}

absl::StatusOr<ServerConfig> ServerConfigFromFlags(absl::string_view service, int default_port,
                                                   int default_metrics_port) {
  ServerConfig c;
  c.service = std::string(service);
  c.listen = absl::GetFlag(FLAGS_listen);
  if (c.listen.empty()) c.listen = absl::StrCat("0.0.0.0:", default_port);
  c.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  if (c.metrics_listen.empty()) c.metrics_listen = absl::StrCat("0.0.0.0:", default_metrics_port);
  if (c.metrics_listen == "off") c.metrics_listen.clear();
  c.health_listen = absl::GetFlag(FLAGS_health_listen);
  auto tls = TlsConfigFromFlags();
  if (!tls.ok()) return tls.status();
  c.tls = *std::move(tls);
  c.max_threads = absl::GetFlag(FLAGS_max_threads);
  c.shutdown_delay = absl::GetFlag(FLAGS_shutdown_delay);
  c.shutdown_grace = absl::GetFlag(FLAGS_shutdown_grace);
  c.max_connection_age = absl::GetFlag(FLAGS_max_connection_age);
  c.readiness_interval = absl::GetFlag(FLAGS_readiness_interval);
  if (absl::Status s = c.Validate(); !s.ok()) return s;
  return c;
}

void InitProcess(int argc, char** argv, absl::string_view service) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // Debian's Abseil is built with mutex deadlock detection on, which puts a
  // global graph update under every lock gRPC and we take.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  // glibc gives threads their own heaps (up to 8 per core); memory a large
  // job frees in one stays with it, so a service's footprint grew by a job's
  // size with every job run on a new thread (measured: a million-customer
  // recompute left 8.6 GB, then +1.8 GB per run). Four heaps are plenty on
  // the pods' cores.
  mallopt(M_ARENA_MAX, 4);
  log::SetService(service);
  absl::FlagsUsageConfig usage;  // --help lists the suite's flags, not absl's own
  usage.contains_help_flags = [](absl::string_view file) {
    return absl::StrContains(file, "common/") || absl::StrContains(file, "services/") ||
           absl::StrContains(file, "bench/");
  };
  usage.contains_helpshort_flags = usage.contains_help_flags;
  absl::SetFlagsUsageConfig(usage);
  absl::SetProgramUsageMessage(
      absl::StrCat("crm ", service, " service. Every flag can also be set in the "
                   "environment as CRM_<FLAG_IN_CAPITALS>."));
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    std::string env = absl::StrCat("CRM_", absl::AsciiStrToUpper(name));
    const char* value = std::getenv(env.c_str());
    if (value == nullptr) continue;
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      std::fprintf(stderr, "%s: %s\n", env.c_str(), error.c_str());
      std::exit(2);
    }
  }
  absl::ParseCommandLine(argc, argv);
}

}  // namespace crm
