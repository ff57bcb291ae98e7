#ifndef CRM_COMMON_SERVER_CONFIG_H_
#define CRM_COMMON_SERVER_CONFIG_H_

#include "absl/strings/string_view.h"
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/tls.h"

namespace crm {

// How one service process serves gRPC and metrics.
struct ServerConfig {
  std::string service;         // "identify", ...
  std::string listen;          // gRPC address, "0.0.0.0:50051"
  std::string metrics_listen;  // Prometheus address, "0.0.0.0:9101"; "" = off
  std::string health_listen;   // plaintext health-only gRPC address for probes; "" = off
  TlsConfig tls;               // mutual TLS on `listen` when enabled
  int max_threads = 256;       // bound on gRPC sync-server threads
  absl::Duration shutdown_delay = absl::ZeroDuration();  // NOT_SERVING before draining
  absl::Duration shutdown_grace = absl::Seconds(20);     // drain deadline
  absl::Duration max_connection_age = absl::Minutes(5);  // so new pods get traffic
  absl::Duration readiness_interval = absl::Seconds(2);

  absl::Status Validate() const;
};

// Reads ServerConfig from the flags --listen, --metrics_listen, --health_listen,
// --tls_cert_file, --tls_key_file, --tls_ca_file,
// --max_threads, --shutdown_delay, --shutdown_grace, --max_connection_age,
// --readiness_interval (each also settable as CRM_<FLAG> in the
// environment). Empty addresses take the service's default ports.
absl::StatusOr<ServerConfig> ServerConfigFromFlags(absl::string_view service, int default_port,
                                                   int default_metrics_port);

// Call first in main(): blocks SIGTERM/SIGINT in every thread (RunServer
// waits for them), applies CRM_<FLAG> environment variables, then parses the
// command line, which wins over the environment.
void InitProcess(int argc, char** argv, absl::string_view service);

}  // namespace crm

#endif  // CRM_COMMON_SERVER_CONFIG_H_
