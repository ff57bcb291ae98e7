#ifndef CRM_SERVICES_COMPLAINTS_SLA_CLOCK_H_
#define CRM_SERVICES_COMPLAINTS_SLA_CLOCK_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "crm/complaints/v1/complaints.pb.h"
#include "services/complaints/business_calendar.h"

namespace crm::complaints {

// The periods in which one SLA clock ran: from receipt, minus pauses
// (waiting on the customer) and, for the resolution clock, the time between
// a resolution and a reopening. The last period may be open.
class RunningTime {
 public:
  void Start(absl::Time t);
  void Stop(absl::Time t);
  bool running() const { return running_; }
  // The instant `work` business time into the clock, when the clock reaches
  // it; while stopped, when it would if it ran again from `resume_at`.
  absl::Time When(const BusinessCalendar& calendar, absl::Duration work,
                  absl::Time resume_at) const;
  // Business time run by `at`.
  absl::Duration RunBy(const BusinessCalendar& calendar, absl::Time at) const;

 private:
  std::vector<std::pair<absl::Time, absl::Time>> closed_;
  absl::Time open_since_;
  bool running_ = false;
};

// A complaint's SLA clocks replayed from its timeline (oldest step first).
struct SlaClocks {
  RunningTime first_response;
  RunningTime resolution;
  std::optional<absl::Time> received, first_response_at, resolved_at, paused_since,
      round_start;  // the last reopening, else receipt
  std::string pause_reason;
  absl::Duration paused_business;  // counted as of the replay's `now`
  int round = 0;                   // reopenings so far
};
SlaClocks ReplayClocks(const BusinessCalendar& calendar,
                       const google::protobuf::RepeatedPtrField<v1::Step>& timeline,
                       absl::Time now);

// Business-time targets of one severity.
struct SlaTargets {
  absl::Duration first_response;
  absl::Duration resolution;
};

// Due times and attainment for SlaStatus, as of `now`.
void FillSlaStatus(const BusinessCalendar& calendar, const SlaClocks& clocks,
                   const SlaTargets& targets, absl::Time now, v1::SlaStatus& status);

// The instant an escalation rule's threshold is crossed in the current
// round, or nullopt when its clock has stopped short of it or crossed it in
// an earlier round.
std::optional<absl::Time> EscalationTime(const BusinessCalendar& calendar,
                                         const SlaClocks& clocks, const SlaTargets& targets,
                                         const v1::EscalationRule& rule, absl::Time now);

}  // namespace crm::complaints

#endif  // CRM_SERVICES_COMPLAINTS_SLA_CLOCK_H_
