#ifndef CRM_COMMON_SERVER_H_
#define CRM_COMMON_SERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/metrics.h"
#include "common/server_config.h"
#include "grpcpp/impl/service_type.h"
#include "grpcpp/security/auth_metadata_processor.h"

namespace crm {

struct RegisteredService {
  grpc::Service* service;
  std::string full_name;  // e.g. "crm.identify.v1.IdentifyService", for health
};

// OK when the process can serve (database reachable and migrated).
using ReadinessCheck = std::function<absl::Status()>;

// Serves `services` until SIGTERM or SIGINT, with the standard gRPC health
// service and server reflection, and the metrics interceptor.
//
// Health is NOT_SERVING until `ready` first returns OK, and follows it every
// readiness_interval (a lost database turns the process NOT_SERVING, its
// return SERVING again, without a restart). On SIGTERM/SIGINT: health goes
// NOT_SERVING for good, after shutdown_delay new calls are refused, in-flight
// calls get up to shutdown_grace to finish (then are cancelled), and the
// function returns 0. Returns 1 when the server cannot start.
// Set when the server stops taking calls: long-lived streams (change feeds)
// end then instead of holding the shutdown for its whole grace period.
void BeginDraining();
bool Draining();

// `auth` (optional, needs TLS) authenticates and authorises every call
// before its handler runs; see Authorizer.
int RunServer(const ServerConfig& config, const std::vector<RegisteredService>& services,
              ReadinessCheck ready, Metrics* metrics,
              std::shared_ptr<grpc::AuthMetadataProcessor> auth = nullptr);

}  // namespace crm

#endif  // CRM_COMMON_SERVER_H_
