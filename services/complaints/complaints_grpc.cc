#include "services/complaints/complaints_grpc.h"

#include "common/grpc_status.h"

namespace crm::complaints {

grpc::Status ComplaintsGrpc::FileComplaint(grpc::ServerContext*,
                                           const v1::FileComplaintRequest* request,
                                           v1::FileComplaintResponse* response) {
  return Reply(service_->FileComplaint(*request), response, kErrorDomain);
}

grpc::Status ComplaintsGrpc::GetComplaint(grpc::ServerContext*,
                                          const v1::GetComplaintRequest* request,
                                          v1::GetComplaintResponse* response) {
  return Reply(service_->GetComplaint(*request), response, kErrorDomain);
}

}  // namespace crm::complaints
