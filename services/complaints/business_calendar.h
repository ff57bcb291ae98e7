#ifndef CRM_SERVICES_COMPLAINTS_BUSINESS_CALENDAR_H_
#define CRM_SERVICES_COMPLAINTS_BUSINESS_CALENDAR_H_

#include <array>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "crm/complaints/v1/sla.pb.h"

namespace crm::complaints {

// Working time: weekly hours in a time zone, minus holidays. Deadlines are
// counted in it, so nights, weekends and holidays do not run the clock.
class BusinessCalendar {
 public:
  // INVALID_ARGUMENT naming the field for a calendar that cannot be used.
  static absl::StatusOr<BusinessCalendar> Create(const v1::BusinessCalendar& proto);

  // The instant at which `work` business time has passed since `from`;
  // InfiniteFuture when the calendar has no working time within ten years.
  absl::Time Add(absl::Time from, absl::Duration work) const;
  // Business time within [from, to).
  absl::Duration Between(absl::Time from, absl::Time to) const;

 private:
  using Interval = std::pair<absl::Time, absl::Time>;
  BusinessCalendar() = default;
  // The day's working intervals as instants, in order; none on holidays.
  std::vector<Interval> WorkingIntervals(absl::CivilDay day) const;

  absl::TimeZone zone_;
  std::array<std::vector<std::pair<int, int>>, 8> minutes_by_weekday_;  // [1..7]
  absl::flat_hash_set<int64_t> holidays_;  // days since 1970-01-01
};

}  // namespace crm::complaints

#endif  // CRM_SERVICES_COMPLAINTS_BUSINESS_CALENDAR_H_
