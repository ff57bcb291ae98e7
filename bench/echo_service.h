#ifndef CRM_BENCH_ECHO_SERVICE_H_
#define CRM_BENCH_ECHO_SERVICE_H_

#include "crm/bench/v1/echo.grpc.pb.h"

namespace crm::bench {

// Answers with the request's payload after delay_ms (capped at 60 s). The
// wait ends early with CANCELLED when the call is cancelled or its deadline
// passes, so a server drain never waits on an abandoned call.
class EchoService final : public crm::bench::v1::EchoService::Service {
 public:
  static constexpr uint32_t kMaxDelayMs = 60000;

  grpc::Status Echo(grpc::ServerContext* context, const v1::EchoRequest* request,
                    v1::EchoResponse* response) override;
};

}  // namespace crm::bench

#endif  // CRM_BENCH_ECHO_SERVICE_H_
