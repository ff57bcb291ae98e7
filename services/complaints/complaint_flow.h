#ifndef CRM_SERVICES_COMPLAINTS_COMPLAINT_FLOW_H_
#define CRM_SERVICES_COMPLAINTS_COMPLAINT_FLOW_H_

#include "absl/status/status.h"
#include "crm/complaints/v1/complaints.pb.h"

namespace crm::complaints {

// The steps a handler can take, each an RPC.
enum class Action {
  kAcknowledge,
  kAssess,
  kPropose,
  kDecide,
  kResolve,
  kFollowUp,
  kClose,
  kReopen,
  kAssign,
  kPause,
  kResume,
  kLink,
};

// The RPC that takes the action, e.g. "AcknowledgeComplaint".
const char* RpcOf(Action action);

// OK when `action` may be taken in `status`; otherwise FAILED_PRECONDITION /
// INVALID_TRANSITION naming the status and the RPCs allowed in it.
absl::Status CheckTransition(v1::ComplaintStatus status, Action action);

// Resolved, followed up and closed complaints are no longer handled.
bool IsOpen(v1::ComplaintStatus status);

}  // namespace crm::complaints

#endif  // CRM_SERVICES_COMPLAINTS_COMPLAINT_FLOW_H_
