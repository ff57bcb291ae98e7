#ifndef CRM_SERVICES_COMPLAINTS_SLA_CONFIG_H_
#define CRM_SERVICES_COMPLAINTS_SLA_CONFIG_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "crm/complaints/v1/sla.pb.h"
#include "services/complaints/business_calendar.h"
#include "services/complaints/complaints_store.h"
#include "services/complaints/sla_clock.h"

namespace crm::complaints {

// The class for customers whose tier, or whose tier's class, is unknown.
inline constexpr char kStandardSlaClass[] = "standard";

// INVALID_ARGUMENT naming the field; checks the calendar can be used.
absl::Status ValidateCalendar(const v1::BusinessCalendar& calendar);
// INVALID_ARGUMENT naming the field.
absl::Status ValidatePolicy(const v1::SlaPolicy& policy);

// What applies until operators set their own: Monday-Friday 09:00-18:00 UTC
// and the "standard" targets (CRITICAL 1 h / 8 h, HIGH 4 h / 2 days,
// MEDIUM 8 h / 5 days, LOW 2 days / 10 days of business time), notifying at
// 80 percent of the resolution target and again at the breach.
v1::BusinessCalendar DefaultCalendar();
v1::SlaPolicy DefaultPolicy();

SlaTargets TargetsFor(const v1::SlaPolicy& policy, v1::Severity severity);

// A policy with its calendar, ready to compute deadlines.
struct SlaRules {
  v1::SlaPolicy policy;
  std::shared_ptr<const BusinessCalendar> calendar;
};

// Policies and calendars by class, cached for a few seconds: a change made
// on another replica applies there within `ttl`.
class SlaConfig {
 public:
  SlaConfig(ComplaintsStore* store, const Clock* clock, absl::Duration ttl = absl::Seconds(5))
      : store_(store), clock_(clock), ttl_(ttl) {}

  // The rules of `sla_class`, else of "standard", else the defaults.
  absl::StatusOr<SlaRules> For(const std::string& sla_class);
  // Forgets cached entries after a change made here.
  void Invalidate();

 private:
  absl::StatusOr<SlaRules> Load(const std::string& sla_class);

  ComplaintsStore* store_;
  const Clock* clock_;
  absl::Duration ttl_;
  absl::Mutex mu_;
  struct Entry {
    SlaRules rules;
    absl::Time loaded;
  };
  absl::flat_hash_map<std::string, Entry> cache_ ABSL_GUARDED_BY(mu_);
};

}  // namespace crm::complaints

#endif  // CRM_SERVICES_COMPLAINTS_SLA_CONFIG_H_
