#include "services/loyalty/loyalty_grpc.h"

#include "common/grpc_status.h"

namespace crm::loyalty {

grpc::Status LoyaltyGrpc::CreateProgram(grpc::ServerContext*,
                                        const v1::CreateProgramRequest* request,
                                        v1::CreateProgramResponse* response) {
  return Reply(service_->CreateProgram(*request), response, kErrorDomain);
}

grpc::Status LoyaltyGrpc::GetProgram(grpc::ServerContext*, const v1::GetProgramRequest* request,
                                     v1::GetProgramResponse* response) {
  return Reply(service_->GetProgram(*request), response, kErrorDomain);
}

}  // namespace crm::loyalty
