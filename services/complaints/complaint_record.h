#ifndef CRM_SERVICES_COMPLAINTS_COMPLAINT_RECORD_H_
#define CRM_SERVICES_COMPLAINTS_COMPLAINT_RECORD_H_

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "crm/complaints/v1/complaints.pb.h"
#include "google/protobuf/message.h"

namespace crm::complaints {

// A call to another service that must happen after a change commits and is
// retried until it does (table pending_calls).
enum class PendingKind {
  kLinkCustomer = 1,   // payload: LinkPayload (identify LookupCustomer)
  kRecordContact = 2,  // payload: identify.v1.Contact (identify RecordContact)
  kGrantPoints = 3,    // payload: empty; the remedy is in the proposal (loyalty AdjustPoints)
};

struct PendingCall {
  std::string complaint_id;
  PendingKind kind;
  std::string payload;
  int attempts = 0;
  // First attempt this long after the commit: the request that made the
  // call pending tries it itself first.
  absl::Duration grace;
  // Set by a claim; "" for a call made from the request that created it.
  std::string claim_token;
};

// One complaint as a change sees it: loaded under its row lock with the
// whole timeline, changed in memory, then written back with what the
// change produced.
struct ComplaintRecord {
  // With timeline and SLA; `sla.sla_class` is the class in force.
  v1::Complaint complaint;
  // (rule index, round) of the escalations already fired.
  std::set<std::pair<int, int>> fired;
  // Steps [0, persisted_steps) of the timeline are stored already.
  int persisted_steps = 0;

  // Set by the change:
  std::optional<absl::Time> next_check_at;
  std::vector<std::pair<int, int>> new_fired;
  std::vector<std::unique_ptr<google::protobuf::Message>> events;
  std::vector<PendingCall> new_pending;
  // Pending calls of this complaint that the change completed.
  std::vector<PendingKind> done_pending;
};

}  // namespace crm::complaints

#endif  // CRM_SERVICES_COMPLAINTS_COMPLAINT_RECORD_H_
