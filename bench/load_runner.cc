#include "bench/load_runner.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/channel_arguments.h"

namespace crm::bench {
namespace {

using Clock = std::chrono::steady_clock;

// One completion queue, the thread that drains it, and what that thread saw.
struct Worker {
  grpc::CompletionQueue cq;
  CallStats stats;
  std::mt19937_64 random{std::random_device{}()};
  std::thread thread;
};

// What every caller shares.
struct Shared {
  Shared(const LoadConfig& c, RequestFactory* r) : config(c), requests(r) {}

  const LoadConfig& config;
  RequestFactory* requests;
  Clock::time_point window_start;
  Clock::time_point window_end;
  std::atomic<bool> stopping{false};  // no new calls
  std::mutex mu;
  std::condition_variable idle;
  int active = 0;  // callers with a call in flight; guarded by mu

  void CallerIdle() {
    std::lock_guard lock(mu);
    if (--active == 0) idle.notify_all();
  }
  bool InWindow(Clock::time_point t) const { return t >= window_start && t < window_end; }
};

// One slot of the closed loop: a call in flight, then the next one. Only one
// call at a time, so its fields are touched by one thread at a time (the
// completion of a call happens after its start).
class Caller {
 public:
  Caller(Shared* shared, grpc::GenericStub* stub, Worker* worker)
      : shared_(shared), stub_(stub), worker_(worker) {}

  // Starts the next call, or goes idle once the window is over.
  void Start() {
    if (shared_->stopping.load(std::memory_order_acquire)) {
      shared_->CallerIdle();
      return;
    }
    absl::StatusOr<grpc::ByteBuffer> request =
        shared_->requests->Next([this] { return worker_->random(); });
    if (!request.ok()) {
      // The first expansion was checked, so only a template whose later
      // expansions stop fitting (e.g. {{seq}} outgrowing the field) gets here.
      ++worker_->stats.errors["LOCAL_BAD_REQUEST"];
      shared_->CallerIdle();
      return;
    }
    context_ = std::make_unique<grpc::ClientContext>();
    if (!shared_->config.token.empty()) {
      context_->AddMetadata("authorization", "Bearer " + shared_->config.token);
    }
    context_->set_deadline(std::chrono::system_clock::now() +
                           absl::ToChronoNanoseconds(shared_->config.timeout));
    started_ = Clock::now();
    if (shared_->InWindow(started_)) ++worker_->stats.sent;
    reader_ = stub_->PrepareUnaryCall(context_.get(), shared_->config.path, *request, &worker_->cq);
    reader_->StartCall();
    reader_->Finish(&response_, &status_, this);
  }

  // From the worker thread, when the call in flight finished.
  void OnDone() {
    const Clock::time_point now = Clock::now();
    if (shared_->InWindow(now)) {
      if (status_.ok()) {
        ++worker_->stats.ok;
        worker_->stats.latencies_ns.push_back(
            std::chrono::duration_cast<std::chrono::nanoseconds>(now - started_).count());
      } else {
        ++worker_->stats.errors[absl::StatusCodeToString(
            static_cast<absl::StatusCode>(status_.error_code()))];
      }
    }
    reader_.reset();  // lives in the call's arena, so goes before the context
    context_.reset();
    response_.Clear();
    Start();
  }

 private:
  Shared* shared_;
  grpc::GenericStub* stub_;
  Worker* worker_;
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> reader_;
  grpc::ByteBuffer response_;
  grpc::Status status_;
  Clock::time_point started_;
};

// Separate channel arguments give every channel its own subchannel, so
// `connections` means that many TCP connections.
std::shared_ptr<grpc::Channel> NewChannel(const LoadConfig& config, int index) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt("crm.loadgen.connection", index);
  return grpc::CreateCustomChannel(config.target, ChannelCredentialsFor(config.tls), args);
}

}  // namespace

absl::StatusOr<CallStats> RunLoad(const LoadConfig& config, RequestFactory* requests) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs;
  for (int i = 0; i < config.connections; ++i) {
    channels.push_back(NewChannel(config, i));
    if (!channels.back()->WaitForConnected(absl::ToChronoTime(absl::Now() + config.timeout))) {
      return absl::UnavailableError(absl::StrCat("cannot connect to ", config.target, " within ",
                                                 absl::FormatDuration(config.timeout)));
    }
    stubs.push_back(std::make_unique<grpc::GenericStub>(channels.back()));
  }
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < config.threads; ++i) workers.push_back(std::make_unique<Worker>());

  Shared shared(config, requests);
  shared.window_start = Clock::now() + absl::ToChronoNanoseconds(config.warmup);
  shared.window_end = shared.window_start + absl::ToChronoNanoseconds(config.duration);
  std::vector<std::unique_ptr<Caller>> callers;
  for (int i = 0; i < config.concurrency; ++i) {
    callers.push_back(std::make_unique<Caller>(&shared, stubs[i % stubs.size()].get(),
                                               workers[i % workers.size()].get()));
  }
  shared.active = config.concurrency;
  // The first calls are started before the worker threads exist, so each
  // Worker's stats and random generator are only ever touched by its thread.
  for (auto& caller : callers) caller->Start();
  for (auto& worker : workers) {
    worker->thread = std::thread([w = worker.get()] {
      void* tag = nullptr;
      bool ok = false;
      while (w->cq.Next(&tag, &ok)) static_cast<Caller*>(tag)->OnDone();
    });
  }

  std::this_thread::sleep_until(shared.window_end);
  shared.stopping.store(true, std::memory_order_release);
  {
    std::unique_lock lock(shared.mu);
    shared.idle.wait(lock, [&] { return shared.active == 0; });
  }
  for (auto& worker : workers) worker->cq.Shutdown();
  CallStats total;
  for (auto& worker : workers) {
    worker->thread.join();
    total.Merge(std::move(worker->stats));
  }
  return total;
}

}  // namespace crm::bench
