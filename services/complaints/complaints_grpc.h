#ifndef CRM_SERVICES_COMPLAINTS_COMPLAINTS_GRPC_H_
#define CRM_SERVICES_COMPLAINTS_COMPLAINTS_GRPC_H_

#include "common/grpc_status.h"
#include "crm/complaints/v1/complaints.grpc.pb.h"
#include "services/complaints/complaints_service.h"

namespace crm::complaints {

inline constexpr char kErrorDomain[] = "complaints.crm";

// gRPC adapter: one line per RPC.
class ComplaintsGrpc final : public v1::ComplaintsService::Service {
 public:
  explicit ComplaintsGrpc(ComplaintsService* service) : service_(service) {}

  CRM_UNARY_RPC(FileComplaint)
  CRM_UNARY_RPC(GetComplaint)
  CRM_UNARY_RPC(ListComplaints)
  CRM_UNARY_RPC(AcknowledgeComplaint)
  CRM_UNARY_RPC(AssessComplaint)
  CRM_UNARY_RPC(ProposeResolution)
  CRM_UNARY_RPC(RecordCustomerDecision)
  CRM_UNARY_RPC(ResolveComplaint)
  CRM_UNARY_RPC(FollowUpComplaint)
  CRM_UNARY_RPC(CloseComplaint)
  CRM_UNARY_RPC(ReopenComplaint)
  CRM_UNARY_RPC(AssignComplaint)
  CRM_UNARY_RPC(PauseSla)
  CRM_UNARY_RPC(ResumeSla)
  CRM_UNARY_RPC(LinkCustomer)
  CRM_UNARY_RPC(SetBusinessCalendar)
  CRM_UNARY_RPC(GetBusinessCalendar)
  CRM_UNARY_RPC(SetSlaPolicy)
  CRM_UNARY_RPC(GetSlaPolicy)
  CRM_UNARY_RPC(RunSlaSweep)
  CRM_UNARY_RPC(GetComplaintMetrics)

 private:
  ComplaintsService* service_;
};

}  // namespace crm::complaints

#endif  // CRM_SERVICES_COMPLAINTS_COMPLAINTS_GRPC_H_
