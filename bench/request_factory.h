#ifndef CRM_BENCH_REQUEST_FACTORY_H_
#define CRM_BENCH_REQUEST_FACTORY_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/request_template.h"
#include "grpcpp/support/byte_buffer.h"
#include "tools/dynamic_rpc.h"

namespace crm::bench {

// Serialized requests for a method from JSON templates, used in turn (call
// n takes template n mod count). A constant template is converted once and
// its bytes shared by every call; otherwise each call gets the next {{seq}}
// and its own JSON conversion. Thread-safe.
class RequestFactory {
 public:
  // Checks each template by converting its first expansion (seq 0), so a
  // request that does not fit the method fails before any load is sent.
  static absl::StatusOr<std::unique_ptr<RequestFactory>> Create(
      tools::DynamicMethod method, std::vector<RequestTemplate> requests);

  absl::StatusOr<grpc::ByteBuffer> Next(RequestTemplate::Random random);

 private:
  RequestFactory(tools::DynamicMethod method, std::vector<RequestTemplate> requests)
      : method_(std::move(method)), templates_(std::move(requests)) {}

  tools::DynamicMethod method_;
  std::vector<RequestTemplate> templates_;
  std::vector<grpc::ByteBuffer> constants_;  // for the constant templates
  std::atomic<uint64_t> seq_{0};
};

}  // namespace crm::bench

#endif  // CRM_BENCH_REQUEST_FACTORY_H_
