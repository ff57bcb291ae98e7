#ifndef CRM_SERVICES_COMPLAINTS_COMPLAINTS_STORE_H_
#define CRM_SERVICES_COMPLAINTS_COMPLAINTS_STORE_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/idempotency.h"
#include "crm/complaints/v1/complaints.pb.h"
#include "services/complaints/complaint_record.h"

namespace crm::complaints {

// Filters of ListComplaints, validated.
struct ComplaintFilter {
  v1::ComplaintStatus status = v1::COMPLAINT_STATUS_UNSPECIFIED;
  std::string team, agent, customer_id, category;
  bool overdue = false;
  absl::Time now;
  std::string after_id;  // the page token: ids below it
  int limit = 50;
};

// The columns GetComplaintMetrics reads, one per complaint filed in a period.
struct ComplaintFacts {
  std::string customer_id, category, root_cause, team, tier;
  v1::Channel channel;
  absl::Time created;
  std::optional<absl::Time> first_response_at, resolved_at;
  std::optional<bool> first_response_met, resolution_met;
  bool first_contact = false;
  int reopen_count = 0;
  int satisfaction = 0;  // 0: not followed up
};

// Persistence of the complaints service.
class ComplaintsStore {
 public:
  // Changes a loaded record; runs inside the transaction (and again when it
  // is retried), so it must have no other effect.
  using Change = std::function<absl::Status(ComplaintRecord&)>;

  virtual ~ComplaintsStore() = default;

  // Inserts a new complaint (timeline, events and pending calls included);
  // a replay of `key` returns the first one.
  virtual absl::StatusOr<v1::Complaint> Create(const RequestKey& key,
                                               ComplaintRecord& record) = 0;
  // The complaint with its timeline (SLA not computed). NOT_FOUND /
  // COMPLAINT_NOT_FOUND when absent.
  virtual absl::StatusOr<ComplaintRecord> Load(absl::string_view complaint_id) = 0;
  // Locks, loads, applies `change` and writes back in one transaction; a
  // replay of `key` returns the first result. With skip_locked, a complaint
  // another transaction holds is skipped: NOT_FOUND / COMPLAINT_BUSY.
  virtual absl::StatusOr<v1::Complaint> Update(const RequestKey& key,
                                               absl::string_view complaint_id,
                                               const Change& change,
                                               bool skip_locked = false) = 0;
  // A page of complaints (no timelines), newest first.
  virtual absl::StatusOr<std::vector<v1::Complaint>> List(const ComplaintFilter& filter) = 0;

  // Open complaints whose SLA state may change at or before `as_of`.
  virtual absl::StatusOr<std::vector<std::string>> DueForCheck(absl::Time as_of, int limit) = 0;
  // Re-targets the open complaints of an SLA class at the next sweep.
  virtual absl::Status CheckClassAgain(absl::string_view sla_class, absl::Time at) = 0;

  // Claims up to `limit` due pending calls for `lease` under `token`
  // (another claimer skips them meanwhile) and returns them.
  virtual absl::StatusOr<std::vector<PendingCall>> ClaimPendingCalls(
      absl::Time now, absl::Duration lease, int limit, const std::string& token) = 0;
  // Records a failed attempt; the call is tried again at `retry_at`. Only
  // while the call is still under its claim (or unclaimed, for "").
  virtual absl::Status RetryPendingCallAt(const PendingCall& call, absl::Time retry_at,
                                          absl::string_view error) = 0;
  // Drops a pending call that needs no effect on the complaint, under the
  // same condition.
  virtual absl::Status FinishPendingCall(const PendingCall& call) = 0;

  virtual absl::StatusOr<v1::BusinessCalendar> PutCalendar(const v1::BusinessCalendar& c) = 0;
  // NOT_FOUND / CALENDAR_NOT_FOUND when absent.
  virtual absl::StatusOr<v1::BusinessCalendar> GetCalendar(absl::string_view calendar_id) = 0;
  // Stores the policy with the next version.
  virtual absl::StatusOr<v1::SlaPolicy> PutPolicy(const v1::SlaPolicy& policy) = 0;
  // NOT_FOUND / SLA_POLICY_NOT_FOUND when absent.
  virtual absl::StatusOr<v1::SlaPolicy> GetPolicy(absl::string_view sla_class) = 0;

  virtual absl::StatusOr<std::vector<ComplaintFacts>> FactsFiledIn(absl::Time start,
                                                                   absl::Time end) = 0;
};

}  // namespace crm::complaints

#endif  // CRM_SERVICES_COMPLAINTS_COMPLAINTS_STORE_H_
