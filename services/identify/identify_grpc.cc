#include "services/identify/identify_grpc.h"

#include "common/grpc_status.h"

namespace crm::identify {

grpc::Status IdentifyGrpc::CreateCustomer(grpc::ServerContext*,
                                          const v1::CreateCustomerRequest* request,
                                          v1::CreateCustomerResponse* response) {
  return Reply(service_->CreateCustomer(*request), response, kErrorDomain);
}

grpc::Status IdentifyGrpc::GetCustomer(grpc::ServerContext*,
                                       const v1::GetCustomerRequest* request,
                                       v1::GetCustomerResponse* response) {
  return Reply(service_->GetCustomer(*request), response, kErrorDomain);
}

}  // namespace crm::identify
