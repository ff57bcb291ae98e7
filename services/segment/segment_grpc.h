#ifndef CRM_SERVICES_SEGMENT_SEGMENT_GRPC_H_
#define CRM_SERVICES_SEGMENT_SEGMENT_GRPC_H_

#include "common/grpc_status.h"
#include "crm/segment/v1/segment.grpc.pb.h"
#include "services/segment/segment_service.h"

namespace crm::segment {

inline constexpr char kErrorDomain[] = "segment.crm";

// gRPC adapter: one line per RPC.
class SegmentGrpc final : public v1::SegmentService::Service {
 public:
  explicit SegmentGrpc(SegmentService* service) : service_(service) {}

  CRM_UNARY_RPC(SetTierPolicy)
  CRM_UNARY_RPC(GetTierPolicy)
  CRM_UNARY_RPC(AssignCustomerTier)
  CRM_UNARY_RPC(GetCustomerTier)
  CRM_UNARY_RPC(StartRecompute)
  CRM_UNARY_RPC(GetRecomputeJob)
  CRM_UNARY_RPC(GetCustomerValue)
  CRM_UNARY_RPC(CreateSegment)
  CRM_UNARY_RPC(GetSegment)
  CRM_UNARY_RPC(ListSegments)
  CRM_UNARY_RPC(ListSegmentMembers)
  CRM_UNARY_RPC(GetCustomerSegments)
  CRM_UNARY_RPC(SetCreditLimit)
  CRM_UNARY_RPC(RecordReceivables)
  CRM_UNARY_RPC(ListWarnings)
  CRM_UNARY_RPC(AcknowledgeWarning)
  CRM_UNARY_RPC(ResolveWarning)

 private:
  SegmentService* service_;
};

}  // namespace crm::segment

#endif  // CRM_SERVICES_SEGMENT_SEGMENT_GRPC_H_
