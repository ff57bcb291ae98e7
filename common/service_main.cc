#include "common/service_main.h"

#include <atomic>
#include <csignal>

#include "common/db_flags.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/peer_channel.h"

namespace crm {

absl::StatusOr<std::unique_ptr<ServiceEnvironment>> ServiceEnvironment::FromFlags(
    const std::string& service, int default_port, int default_metrics_port,
    const std::vector<MigrationFile>& migrations) {
  auto server = ServerConfigFromFlags(service, default_port, default_metrics_port);
  if (!server.ok()) return server.status();
  auto db = DbConfigFromFlags();
  if (!db.ok()) return db.status();
  if (auto parsed = ParseMigrations(migrations); !parsed.ok()) return parsed.status();
  std::unique_ptr<ServiceEnvironment> env(new ServiceEnvironment());
  env->server_ = *std::move(server);
  env->migrate_on_start_ = MigrateOnStartFlag();
  env->migrate_only_ = MigrateOnlyFlag();
  env->metrics_ = std::make_unique<Metrics>(service);
  auto authorizer = AuthorizerFromFlags(env->server_.tls, &env->metrics_->registry());
  if (!authorizer.ok()) return authorizer.status();
  env->authorizer_ = *std::move(authorizer);
  log::Info("database", {{"target", db->Describe()}, {"pool_size", int64_t{db->pool_size}}});
  env->pool_ = std::make_unique<MysqlPool>(*std::move(db), &env->metrics_->registry());
  env->migrator_ = std::make_unique<Migrator>(env->pool_.get(), migrations);
  env->ids_ = std::make_unique<IdGenerator>(env->clock_);
  return env;
}

std::shared_ptr<grpc::Channel> ServiceEnvironment::PeerChannelTo(const std::string& target) const {
  return PeerChannel(target, server_.tls);
}

int ServiceEnvironment::MigrateAndExit() {
  sigset_t signals;  // no server to drain: let SIGTERM/SIGINT end the process
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_UNBLOCK, &signals, nullptr);
  auto applied = migrator_->Run();
  if (!applied.ok()) {
    log::Error("migration failed", {{"status", Describe(applied.status())}});
    return 1;
  }
  log::Info("schema up to date", {{"applied", int64_t{*applied}}});
  return 0;
}

int ServiceEnvironment::Serve(const std::vector<RegisteredService>& services) {
  auto migrated = std::make_shared<std::atomic<bool>>(false);
  ReadinessCheck ready = [this, migrated]() -> absl::Status {
    if (!*migrated) {
      absl::Status s = migrate_on_start_ ? migrator_->Run().status() : migrator_->Verify();
      if (!s.ok()) return s;
      *migrated = true;
    }
    absl::Status ping = pool_->Ping();
    // Every connection busy means the database works: stay in rotation.
    if (ReasonOf(ping) == "DB_POOL_EXHAUSTED") return absl::OkStatus();
    return ping;
  };
  return RunServer(server_, services, std::move(ready), metrics_.get(), authorizer_);
}

int ExitOnConfigError(const absl::Status& status) {
  log::Error("bad configuration", {{"status", Describe(status)}});
  return 2;
}

}  // namespace crm
