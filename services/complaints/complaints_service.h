#ifndef CRM_SERVICES_COMPLAINTS_COMPLAINTS_SERVICE_H_
#define CRM_SERVICES_COMPLAINTS_COMPLAINTS_SERVICE_H_

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/ids.h"
#include "crm/complaints/v1/complaints.pb.h"
#include "services/complaints/complaint_flow.h"
#include "services/complaints/complaints_store.h"
#include "services/complaints/peers.h"
#include "services/complaints/sla_config.h"
#include "services/identify/client/customer_directory.h"

namespace crm::complaints {

// The other services complaint handling talks to; each may be null (then
// its work stays pending) and each may be down (documented per RPC).
struct Peers {
  identify::CustomerDirectory* customers = nullptr;
  TierDirectory* tiers = nullptr;
  PointsLedger* points = nullptr;
};

// The domain rules of complaint handling, free of any transport.
class ComplaintsService {
 public:
  ComplaintsService(ComplaintsStore* store, const Clock* clock, IdGenerator* ids, Peers peers = {})
      : store_(store), clock_(clock), ids_(ids), peers_(peers), sla_(store, clock) {}

  absl::StatusOr<v1::FileComplaintResponse> FileComplaint(const v1::FileComplaintRequest& request);
  absl::StatusOr<v1::GetComplaintResponse> GetComplaint(const v1::GetComplaintRequest& request);
  absl::StatusOr<v1::ListComplaintsResponse> ListComplaints(
      const v1::ListComplaintsRequest& request);

  absl::StatusOr<v1::AcknowledgeComplaintResponse> AcknowledgeComplaint(
      const v1::AcknowledgeComplaintRequest& request);
  absl::StatusOr<v1::AssessComplaintResponse> AssessComplaint(
      const v1::AssessComplaintRequest& request);
  absl::StatusOr<v1::ProposeResolutionResponse> ProposeResolution(
      const v1::ProposeResolutionRequest& request);
  absl::StatusOr<v1::RecordCustomerDecisionResponse> RecordCustomerDecision(
      const v1::RecordCustomerDecisionRequest& request);
  absl::StatusOr<v1::ResolveComplaintResponse> ResolveComplaint(
      const v1::ResolveComplaintRequest& request);
  absl::StatusOr<v1::FollowUpComplaintResponse> FollowUpComplaint(
      const v1::FollowUpComplaintRequest& request);
  absl::StatusOr<v1::CloseComplaintResponse> CloseComplaint(
      const v1::CloseComplaintRequest& request);
  absl::StatusOr<v1::ReopenComplaintResponse> ReopenComplaint(
      const v1::ReopenComplaintRequest& request);
  absl::StatusOr<v1::AssignComplaintResponse> AssignComplaint(
      const v1::AssignComplaintRequest& request);
  absl::StatusOr<v1::PauseSlaResponse> PauseSla(const v1::PauseSlaRequest& request);
  absl::StatusOr<v1::ResumeSlaResponse> ResumeSla(const v1::ResumeSlaRequest& request);
  absl::StatusOr<v1::LinkCustomerResponse> LinkCustomer(const v1::LinkCustomerRequest& request);

  absl::StatusOr<v1::SetBusinessCalendarResponse> SetBusinessCalendar(
      const v1::SetBusinessCalendarRequest& request);
  absl::StatusOr<v1::GetBusinessCalendarResponse> GetBusinessCalendar(
      const v1::GetBusinessCalendarRequest& request);
  absl::StatusOr<v1::SetSlaPolicyResponse> SetSlaPolicy(const v1::SetSlaPolicyRequest& request);
  absl::StatusOr<v1::GetSlaPolicyResponse> GetSlaPolicy(const v1::GetSlaPolicyRequest& request);
  absl::StatusOr<v1::RunSlaSweepResponse> RunSlaSweep(const v1::RunSlaSweepRequest& request);

  absl::StatusOr<v1::GetComplaintMetricsResponse> GetComplaintMetrics(
      const v1::GetComplaintMetricsRequest& request);

  // Completes due pending calls (links, touchpoints, compensation); what
  // fails again is retried later with backoff. Returns {completed, failed}.
  std::pair<int64_t, int64_t> RunPendingCalls(absl::Time now, int limit);

 private:
  using Change = ComplaintsStore::Change;
  // Validates the id, request id and actor, then applies `change` to the
  // locked complaint and recomputes its SLA.
  absl::StatusOr<v1::Complaint> Step(absl::string_view method,
                                     const google::protobuf::Message& request,
                                     const std::string& request_id,
                                     const std::string& complaint_id, const v1::Actor& by,
                                     bool note_required, const Change& change);
  // Recomputes SLA status, escalation level and the next sweep time.
  absl::Status Refresh(ComplaintRecord& record, absl::Time now);
  // Fires the escalation rules due by `now`.
  absl::Status Escalate(ComplaintRecord& record, absl::Time now);
  // The complaint as GetComplaint shows it: SLA as of now.
  absl::StatusOr<v1::Complaint> Present(absl::string_view complaint_id);
  // The customer's tier and SLA class; unknown ("", standard) when segment
  // has none or cannot be reached.
  CustomerTier TierOf(const std::string& customer_id);
  // One pending call; OK when it is done with (completed or given up).
  absl::Status Complete(const PendingCall& call, absl::Time now);
  absl::Status GrantCompensation(const std::string& complaint_id, absl::Time now);
  // Records the complaint as a contact in identify; done with the pending
  // call unless identify is unreachable.
  absl::Status RecordContact(const PendingCall& call);
  void RecordContactNow(const v1::Complaint& complaint);

  ComplaintsStore* store_;
  const Clock* clock_;
  IdGenerator* ids_;
  Peers peers_;
  SlaConfig sla_;
};

// The pending call that records a complaint as a contact in identify.
PendingCall ContactCall(const v1::Complaint& complaint);

// Appends a step taken by `by` at `at`; its status is the complaint's now.
void AddStep(v1::Complaint& complaint, v1::Step::Kind kind, absl::Time at, const v1::Actor& by,
             int value = 0);

}  // namespace crm::complaints

#endif  // CRM_SERVICES_COMPLAINTS_COMPLAINTS_SERVICE_H_
