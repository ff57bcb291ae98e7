#include "common/metrics.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/grpc_status.h"
#include "common/log.h"
#include "prometheus/counter.h"
#include "prometheus/exposer.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"

#ifndef CRM_VERSION
#define CRM_VERSION "dev"
#endif
#ifndef CRM_GIT_COMMIT
#define CRM_GIT_COMMIT "unknown"
#endif

namespace crm {
namespace {

const char* CodeName(grpc::StatusCode code) {
  static constexpr const char* kNames[] = {
      "OK",        "CANCELLED",          "UNKNOWN",           "INVALID_ARGUMENT",
      "DEADLINE_EXCEEDED", "NOT_FOUND",  "ALREADY_EXISTS",    "PERMISSION_DENIED",
      "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
      "UNIMPLEMENTED", "INTERNAL",       "UNAVAILABLE",       "DATA_LOSS",
      "UNAUTHENTICATED"};
  int i = static_cast<int>(code);
  return i >= 0 && i <= 16 ? kNames[i] : "UNKNOWN";
}

class RpcInterceptor final : public grpc::experimental::Interceptor {
 public:
  RpcInterceptor(Metrics* metrics, grpc::experimental::ServerRpcInfo* info)
      : metrics_(metrics), method_(info->method()), start_(std::chrono::steady_clock::now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      if (status.error_code() == grpc::StatusCode::INTERNAL && status.error_details().empty()) {
        // Every handler attaches an ErrorInfo, so a bare INTERNAL comes from
        // gRPC itself: the request bytes did not parse as the method's message.
        status = ToGrpcStatus(Error(absl::StatusCode::kInvalidArgument, "MALFORMED_REQUEST",
                                    "the request is not a valid message for this method"),
                              metrics_->error_domain());
        methods->ModifySendStatus(status);
      }
      double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
      const char* code = CodeName(status.error_code());
      metrics_->ObserveRpc(method_, code, seconds);
      if (!status.ok()) {
        log::Warn("rpc failed", {{"method", method_},
                                 {"code", std::string(code)},
                                 {"message", status.error_message()},
                                 {"duration_ms", seconds * 1000}});
      }
    }
    methods->Proceed();
  }

 private:
  Metrics* metrics_;
  std::string method_;
  std::chrono::steady_clock::time_point start_;
};

class RpcInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit RpcInterceptorFactory(Metrics* metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new RpcInterceptor(metrics_, info);
  }

 private:
  Metrics* metrics_;
};

}  // namespace

Metrics::Metrics(absl::string_view service)
    : error_domain_(absl::StrCat(service, ".crm")),
      registry_(std::make_shared<prometheus::Registry>()) {
  prometheus::BuildGauge()
      .Name("crm_build_info")
      .Help("Build of the running binary")
      .Register(*registry_)
      .Add({{"service", std::string(service)},
            {"version", CRM_VERSION},
            {"commit", CRM_GIT_COMMIT}})
      .Set(1);
  requests_ = &prometheus::BuildCounter()
                   .Name("crm_rpc_requests_total")
                   .Help("RPCs handled, by method and status code")
                   .Register(*registry_);
  durations_ = &prometheus::BuildHistogram()
                    .Name("crm_rpc_duration_seconds")
                    .Help("RPC latency from arrival to status, by method")
                    .Register(*registry_);
}

Metrics::~Metrics() = default;

absl::Status Metrics::Serve(const std::string& address) {
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(address, /*num_threads=*/1);
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("metrics endpoint ", address, ": ", e.what()));
  }
  exposer_->RegisterCollectable(registry_);
  return absl::OkStatus();
}

void Metrics::ObserveRpc(const std::string& method, absl::string_view code, double seconds) {
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  requests_->Add({{"method", method}, {"code", std::string(code)}}).Increment();
  durations_->Add({{"method", method}}, kBuckets).Observe(seconds);
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
Metrics::InterceptorFactory() {
  return std::make_unique<RpcInterceptorFactory>(this);
}

}  // namespace crm
