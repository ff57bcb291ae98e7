#include "common/server.h"

#include <atomic>
#include <csignal>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/tls.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/resource_quota.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"

namespace crm {

namespace {
std::atomic<bool> draining{false};
}  // namespace

void BeginDraining() { draining = true; }
bool Draining() { return draining; }
namespace {

// Waits (in its own thread) for a blocked SIGTERM/SIGINT.
int WaitForSignal() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  int signal = 0;
  sigwait(&signals, &signal);
  return signal;
}

// Health as published on the main port and, when configured, the probe port.
// "" and every service name follow readiness; "liveness" is SERVING for as
// long as the process serves at all.
class HealthBoard {
 public:
  explicit HealthBoard(std::vector<std::string> names) : names_(std::move(names)) {}

  void Add(grpc::HealthCheckServiceInterface* health) {
    health->SetServingStatus("liveness", true);
    for (const auto& name : names_) health->SetServingStatus(name, false);
    health->SetServingStatus("", false);
    targets_.push_back(health);
  }
  void SetReady(bool serving) {
    for (auto* health : targets_) {
      for (const auto& name : names_) health->SetServingStatus(name, serving);
      health->SetServingStatus("", serving);
    }
  }
  // NOT_SERVING for every name, for good.
  void Shutdown() {
    for (auto* health : targets_) health->Shutdown();
  }

 private:
  std::vector<std::string> names_;
  std::vector<grpc::HealthCheckServiceInterface*> targets_;
};

// Re-evaluates readiness until stopped, publishing it through health.
class ReadinessLoop {
 public:
  ReadinessLoop(HealthBoard* health,
                ReadinessCheck ready, absl::Duration interval)
      : health_(health), ready_(std::move(ready)), interval_(interval),
        thread_([this] { Loop(); }) {}

  ~ReadinessLoop() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

 private:
  void Loop() {
    bool serving = false;
    bool first = true;
    std::unique_lock lock(mu_);
    while (!stop_) {
      lock.unlock();
      absl::Status status = ready_ ? ready_() : absl::OkStatus();
      lock.lock();
      if (stop_) break;
      bool now_serving = status.ok();
      if (first || now_serving != serving) {
        health_->SetReady(now_serving);
        if (now_serving) {
          log::Info("serving");
        } else {
          log::Warn("not serving", {{"reason", Describe(status)}});
        }
      }
      serving = now_serving;
      first = false;
      wake_.wait_for(lock, absl::ToChronoMilliseconds(interval_), [this] { return stop_; });
    }
  }

  HealthBoard* health_;
  ReadinessCheck ready_;
  absl::Duration interval_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

// A plaintext server with only the health service on it.
std::unique_ptr<grpc::Server> StartProbeServer(const std::string& address) {
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &port);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    log::Error("cannot listen", {{"address", address}});
    return nullptr;
  }
  return server;
}

}  // namespace

int RunServer(const ServerConfig& config, const std::vector<RegisteredService>& services,
              ReadinessCheck ready, Metrics* metrics,
              std::shared_ptr<grpc::AuthMetadataProcessor> auth) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  std::shared_ptr<grpc::ServerCredentials> credentials = ServerCredentialsFor(config.tls);
  if (auth != nullptr) credentials->SetAuthMetadataProcessor(auth);
  builder.AddListeningPort(config.listen, credentials, &port);
  std::vector<std::string> names;
  for (const auto& s : services) {
    builder.RegisterService(s.service);
    names.push_back(s.full_name);
  }
  grpc::ResourceQuota quota(absl::StrCat("crm-", config.service));
  quota.SetMaxThreads(config.max_threads);
  builder.SetResourceQuota(quota);
  // Keep finished handler threads polling instead of exiting: with gRPC's
  // default of 2, a busy server creates and destroys a thread per call.
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS,
                              config.max_threads);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS,
                             static_cast<int>(absl::ToInt64Milliseconds(config.max_connection_age)));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                             static_cast<int>(absl::ToInt64Milliseconds(config.shutdown_grace)));
  if (metrics != nullptr) {
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> factories;
    factories.push_back(metrics->InterceptorFactory());
    builder.experimental().SetInterceptorCreators(std::move(factories));
  }
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    log::Error("cannot listen", {{"address", config.listen}});
    return 1;
  }
  if (metrics != nullptr && !config.metrics_listen.empty()) {
    if (absl::Status s = metrics->Serve(config.metrics_listen); !s.ok()) {
      log::Error("cannot serve metrics", {{"status", Describe(s)}});
      server->Shutdown();
      return 1;
    }
  }
  HealthBoard health(names);
  health.Add(server->GetHealthCheckService());
  std::unique_ptr<grpc::Server> probes;
  if (!config.health_listen.empty()) {
    probes = StartProbeServer(config.health_listen);
    if (!probes) {
      server->Shutdown();
      return 1;
    }
    health.Add(probes->GetHealthCheckService());
  }
  log::Info("listening", {{"grpc", config.listen},
                          {"tls", config.tls.enabled() ? "mutual" : "off"},
                          {"health", config.health_listen.empty() ? "off" : config.health_listen},
                          {"metrics", config.metrics_listen.empty() ? "off" : config.metrics_listen}});

  std::thread stopper([&] {
    int signal = WaitForSignal();
    log::Info("shutting down", {{"signal", int64_t{signal}},
                                {"grace_ms", absl::ToInt64Milliseconds(config.shutdown_grace)}});
    health.Shutdown();  // NOT_SERVING for every service, and it stays so
    absl::SleepFor(config.shutdown_delay);
    BeginDraining();
    server->Shutdown(absl::ToChronoTime(absl::Now() + config.shutdown_grace));
  });
  {
    ReadinessLoop readiness(&health, std::move(ready), config.readiness_interval);
    server->Wait();
  }
  stopper.join();
  if (probes) probes->Shutdown(std::chrono::system_clock::now());
  log::Info("stopped");
  return 0;
}

}  // namespace crm
