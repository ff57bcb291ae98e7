#include "services/segment/segment_grpc.h"

#include "common/grpc_status.h"

namespace crm::segment {

grpc::Status SegmentGrpc::SetTierPolicy(grpc::ServerContext*,
                                        const v1::SetTierPolicyRequest* request,
                                        v1::SetTierPolicyResponse* response) {
  return Reply(service_->SetTierPolicy(*request), response, kErrorDomain);
}

grpc::Status SegmentGrpc::GetTierPolicy(grpc::ServerContext*,
                                        const v1::GetTierPolicyRequest* request,
                                        v1::GetTierPolicyResponse* response) {
  return Reply(service_->GetTierPolicy(*request), response, kErrorDomain);
}

}  // namespace crm::segment
