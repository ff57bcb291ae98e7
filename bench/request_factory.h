#ifndef CRM_BENCH_REQUEST_FACTORY_H_
#define CRM_BENCH_REQUEST_FACTORY_H_

#include <atomic>
#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "bench/request_template.h"
#include "grpcpp/support/byte_buffer.h"
#include "tools/dynamic_rpc.h"

namespace crm::bench {

// Serialized requests for a method from a JSON template. A constant template
// is converted once and its bytes shared by every call; otherwise each call
// gets the next {{seq}} and its own JSON conversion. Thread-safe.
class RequestFactory {
 public:
  // Checks the template by converting its first expansion (seq 0), so a
  // request that does not fit the method fails before any load is sent.
  static absl::StatusOr<std::unique_ptr<RequestFactory>> Create(tools::DynamicMethod method,
                                                                RequestTemplate request);

  absl::StatusOr<grpc::ByteBuffer> Next(RequestTemplate::Random random);

 private:
  RequestFactory(tools::DynamicMethod method, RequestTemplate request)
      : method_(std::move(method)), template_(std::move(request)) {}

  tools::DynamicMethod method_;
  RequestTemplate template_;
  grpc::ByteBuffer constant_;  // when template_.is_constant()
  std::atomic<uint64_t> seq_{0};
};

}  // namespace crm::bench

#endif  // CRM_BENCH_REQUEST_FACTORY_H_
