#ifndef CRM_COMMON_SERVICE_MAIN_H_
#define CRM_COMMON_SERVICE_MAIN_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/authorizer.h"
#include "common/clock.h"
#include "common/db_config.h"
#include "common/ids.h"
#include "common/metrics.h"
#include "common/migrator.h"
#include "common/mysql_pool.h"
#include "common/server.h"
#include "common/server_config.h"
#include "grpcpp/channel.h"

namespace crm {

// Everything a database-backed service's main() wires together, read from
// flags and environment:
//
//   crm::InitProcess(argc, argv, "identify");
//   auto env = crm::ServiceEnvironment::FromFlags("identify", 50051, 9101, Migrations());
//   if (!env.ok()) return crm::ExitOnConfigError(env.status());
//   if (env->migrate_only()) return env->MigrateAndExit();
//   ... build store, service, gRPC adapter on env->pool(), env->clock(), env->ids() ...
//   return env->Serve({{&adapter, "crm.identify.v1.IdentifyService"}});
class ServiceEnvironment {
 public:
  static absl::StatusOr<std::unique_ptr<ServiceEnvironment>> FromFlags(
      const std::string& service, int default_port, int default_metrics_port,
      const std::vector<MigrationFile>& migrations);

  MysqlPool& pool() { return *pool_; }
  const Clock& clock() const { return *clock_; }
  IdGenerator& ids() { return *ids_; }
  Metrics& metrics() { return *metrics_; }
  // Null without --authz_policy_file.
  const Authorizer* authorizer() const { return authorizer_.get(); }
  bool migrate_only() const { return migrate_only_; }
  // A channel to another service of the suite (round-robin, mutual TLS when
  // this process has it); see PeerChannel.
  std::shared_ptr<grpc::Channel> PeerChannelTo(const std::string& target) const;

  // Applies migrations; exit code 0 on success.
  int MigrateAndExit();
  // OK when the schema is reachable and fully migrated (for one-off tasks).
  absl::Status VerifySchema() { return migrator_->Verify(); }
  // Runs the server until SIGTERM; ready once the schema is migrated (or
  // applied, with --migrate) and the database answers.
  int Serve(const std::vector<RegisteredService>& services);

 private:
  ServiceEnvironment() = default;

  ServerConfig server_;
  bool migrate_on_start_ = false;
  bool migrate_only_ = false;
  std::unique_ptr<Metrics> metrics_;
  std::shared_ptr<Authorizer> authorizer_;
  std::unique_ptr<MysqlPool> pool_;
  std::unique_ptr<Migrator> migrator_;
  const Clock* clock_ = SystemClock::Get();
  std::unique_ptr<IdGenerator> ids_;
};

// Logs a start-up configuration error and returns exit code 2.
int ExitOnConfigError(const absl::Status& status);

}  // namespace crm

#endif  // CRM_COMMON_SERVICE_MAIN_H_
