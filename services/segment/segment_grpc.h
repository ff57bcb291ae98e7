#ifndef CRM_SERVICES_SEGMENT_SEGMENT_GRPC_H_
#define CRM_SERVICES_SEGMENT_SEGMENT_GRPC_H_

#include "crm/segment/v1/segment.grpc.pb.h"
#include "services/segment/segment_service.h"

namespace crm::segment {

inline constexpr char kErrorDomain[] = "segment.crm";

// gRPC adapter: one line per RPC.
class SegmentGrpc final : public v1::SegmentService::Service {
 public:
  explicit SegmentGrpc(SegmentService* service) : service_(service) {}

  grpc::Status SetTierPolicy(grpc::ServerContext*, const v1::SetTierPolicyRequest* request,
                             v1::SetTierPolicyResponse* response) override;
  grpc::Status GetTierPolicy(grpc::ServerContext*, const v1::GetTierPolicyRequest* request,
                             v1::GetTierPolicyResponse* response) override;

 private:
  SegmentService* service_;
};

}  // namespace crm::segment

#endif  // CRM_SERVICES_SEGMENT_SEGMENT_GRPC_H_
