// crm-echo-server: the bench EchoService behind the same bootstrap as the CRM
// services (health, reflection, metrics interceptor, graceful shutdown), so
// that crm-loadgen against it measures the ceiling of the serving stack
// without any business logic or database.
#include "absl/status/status.h"
#include "bench/echo_service.h"
#include "common/server.h"
#include "common/server_config.h"
#include "common/service_main.h"

int main(int argc, char** argv) {
  crm::InitProcess(argc, argv, "echo");
  absl::StatusOr<crm::ServerConfig> config = crm::ServerConfigFromFlags("echo", 50060, 9160);
  if (!config.ok()) return crm::ExitOnConfigError(config.status());
  crm::Metrics metrics("echo");
  crm::bench::EchoService service;
  return crm::RunServer(
      *config, {{&service, crm::bench::v1::EchoService::service_full_name()}},
      [] { return absl::OkStatus(); }, &metrics);
}
