#include "bench/echo_service.h"

#include <algorithm>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace crm::bench {

grpc::Status EchoService::Echo(grpc::ServerContext* context, const v1::EchoRequest* request,
                               v1::EchoResponse* response) {
  const absl::Time until =
      absl::Now() + absl::Milliseconds(std::min(request->delay_ms(), kMaxDelayMs));
  while (absl::Now() < until) {
    if (context->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
    absl::SleepFor(std::min(absl::Milliseconds(5), until - absl::Now()));
  }
  response->set_payload(request->payload());
  return grpc::Status::OK;
}

}  // namespace crm::bench
