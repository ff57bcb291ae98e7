#include "services/complaints/complaint_flow.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/errors.h"

namespace crm::complaints {
namespace {

using S = v1::ComplaintStatus;

constexpr Action kAllActions[] = {
    Action::kAcknowledge, Action::kAssess, Action::kPropose, Action::kDecide,
    Action::kResolve,     Action::kFollowUp, Action::kClose, Action::kReopen,
    Action::kAssign,      Action::kPause,   Action::kResume, Action::kLink};

bool Allowed(S s, Action action) {
  switch (action) {
    case Action::kAcknowledge:
      return s == v1::COMPLAINT_STATUS_RECEIVED;
    case Action::kAssess:
      return s == v1::COMPLAINT_STATUS_ACKNOWLEDGED || s == v1::COMPLAINT_STATUS_ASSESSED ||
             s == v1::COMPLAINT_STATUS_REJECTED || s == v1::COMPLAINT_STATUS_REOPENED;
    case Action::kPropose:
      return s == v1::COMPLAINT_STATUS_ASSESSED || s == v1::COMPLAINT_STATUS_REJECTED ||
             s == v1::COMPLAINT_STATUS_REOPENED;
    case Action::kDecide:
      return s == v1::COMPLAINT_STATUS_RESOLUTION_PROPOSED;
    case Action::kResolve:
      return s == v1::COMPLAINT_STATUS_ACCEPTED;
    case Action::kFollowUp:
      return s == v1::COMPLAINT_STATUS_RESOLVED;
    case Action::kClose:
      return s == v1::COMPLAINT_STATUS_FOLLOWED_UP;
    case Action::kReopen:
      return s == v1::COMPLAINT_STATUS_FOLLOWED_UP || s == v1::COMPLAINT_STATUS_CLOSED;
    case Action::kAssign:
    case Action::kPause:
    case Action::kResume:
      return IsOpen(s);
    case Action::kLink:
      return true;  // the complainant may be identified at any time
  }
  return false;
}

}  // namespace

const char* RpcOf(Action action) {
  switch (action) {
    case Action::kAcknowledge: return "AcknowledgeComplaint";
    case Action::kAssess: return "AssessComplaint";
    case Action::kPropose: return "ProposeResolution";
    case Action::kDecide: return "RecordCustomerDecision";
    case Action::kResolve: return "ResolveComplaint";
    case Action::kFollowUp: return "FollowUpComplaint";
    case Action::kClose: return "CloseComplaint";
    case Action::kReopen: return "ReopenComplaint";
    case Action::kAssign: return "AssignComplaint";
    case Action::kPause: return "PauseSla";
    case Action::kResume: return "ResumeSla";
    case Action::kLink: return "LinkCustomer";
  }
  return "";
}

bool IsOpen(v1::ComplaintStatus status) {
  return status != v1::COMPLAINT_STATUS_RESOLVED && status != v1::COMPLAINT_STATUS_FOLLOWED_UP &&
         status != v1::COMPLAINT_STATUS_CLOSED;
}

absl::Status CheckTransition(v1::ComplaintStatus status, Action action) {
  if (Allowed(status, action)) return absl::OkStatus();
  std::vector<std::string> allowed;
  for (Action a : kAllActions) {
    if (Allowed(status, a)) allowed.push_back(RpcOf(a));
  }
  const std::string status_name = v1::ComplaintStatus_Name(status);
  const std::string allowed_list = absl::StrJoin(allowed, ", ");
  return Error(absl::StatusCode::kFailedPrecondition, "INVALID_TRANSITION",
               absl::StrCat(RpcOf(action), " is not allowed in status ", status_name,
                            "; allowed: ", allowed_list),
               {{"status", status_name}, {"allowed", allowed_list}});
}

}  // namespace crm::complaints
