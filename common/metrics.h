#ifndef CRM_COMMON_METRICS_H_
#define CRM_COMMON_METRICS_H_

#include "absl/strings/string_view.h"
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "grpcpp/support/server_interceptor.h"
#include "prometheus/registry.h"

namespace prometheus {
class Exposer;
template <typename T>
class Family;
class Counter;
class Histogram;
}  // namespace prometheus

namespace crm {

// The Prometheus registry of one service process and its /metrics endpoint.
// Exposes crm_build_info{service,version,commit}, and per RPC
// crm_rpc_requests_total{method,code} and crm_rpc_duration_seconds{method}.
class Metrics {
 public:
  explicit Metrics(absl::string_view service);
  ~Metrics();

  prometheus::Registry& registry() { return *registry_; }
  // "<service>.crm", the ErrorInfo domain of errors the interceptor makes.
  const std::string& error_domain() const { return error_domain_; }

  // Serves http://<address>/metrics (e.g. "0.0.0.0:9101"); port 0 of a
  // "host:0" address is not allowed.
  absl::Status Serve(const std::string& address);

  void ObserveRpc(const std::string& method, absl::string_view code, double seconds);

  // A gRPC server interceptor that records every RPC and logs one JSON line
  // per failed one. It also turns gRPC's own INTERNAL for request bytes that
  // do not parse into INVALID_ARGUMENT / MALFORMED_REQUEST.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> InterceptorFactory();

 private:
  std::string error_domain_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  prometheus::Family<prometheus::Counter>* requests_;
  prometheus::Family<prometheus::Histogram>* durations_;
};

}  // namespace crm

#endif  // CRM_COMMON_METRICS_H_
