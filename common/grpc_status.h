#ifndef CRM_COMMON_GRPC_STATUS_H_
#define CRM_COMMON_GRPC_STATUS_H_

#include "absl/strings/string_view.h"
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grpcpp/support/status.h"

namespace crm {

// Converts a domain status to what a client sees: the same code and message,
// and a google.rpc.Status in the details carrying ErrorInfo{reason, domain,
// metadata}. INTERNAL and UNKNOWN errors are logged in full here and reach the
// client only as "internal error", so no SQL or stack detail leaks.
// `domain` names the service, e.g. "identify.crm".
grpc::Status ToGrpcStatus(const absl::Status& status, absl::string_view domain);

// The body of a one-line RPC adapter: copies the value or converts the error.
template <typename Response>
grpc::Status Reply(absl::StatusOr<Response> result, Response* out, absl::string_view domain) {
  if (!result.ok()) return ToGrpcStatus(result.status(), domain);
  *out = *std::move(result);
  return grpc::Status::OK;
}

// The inverse, for clients: the code, message and ErrorInfo of a gRPC status.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace crm

// True for the codes a client should treat as "the callee is unreachable
// now, try again later" rather than as the callee's answer.
inline bool IsTransientGrpcCode(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED ||
         code == grpc::StatusCode::RESOURCE_EXHAUSTED || code == grpc::StatusCode::ABORTED ||
         code == grpc::StatusCode::INTERNAL || code == grpc::StatusCode::UNKNOWN ||
         code == grpc::StatusCode::CANCELLED;
}

// One unary RPC of a gRPC adapter class: hands the request to the member
// `service_` and maps its result with the namespace's `kErrorDomain`.
#define CRM_UNARY_RPC(Method)                                                   \
  grpc::Status Method(grpc::ServerContext*, const v1::Method##Request* request, \
                      v1::Method##Response* response) override {                \
    return ::crm::Reply(service_->Method(*request), response, kErrorDomain);    \
  }

#endif  // CRM_COMMON_GRPC_STATUS_H_
