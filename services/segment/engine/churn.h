#ifndef CRM_SERVICES_SEGMENT_ENGINE_CHURN_H_
#define CRM_SERVICES_SEGMENT_ENGINE_CHURN_H_

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "services/segment/engine/transactions.h"

namespace crm::segment {

// A customer's purchases in the earlier and the recent half of its tenure
// (first purchase to `as_of`).
struct TenureHalves {
  double early_days = 0, late_days = 0;    // purchase days
  double early_spend = 0, late_spend = 0;  // cents
};
TenureHalves SplitTenure(const CustomerHistory& history, absl::CivilDay as_of);

// Why a customer looks like leaving, one reason with its figures per sign,
// empty when none shows. Signs (only after 90 days of tenure and two purchase
// days): overdue (more than twice its usual interval plus 30 days since the
// last purchase), falling frequency (at least two and a quarter fewer
// purchase days in the recent half of its tenure), falling spend (under half
// the earlier half's), and complaints (two or more open).
std::vector<std::string> ChurnReasons(const CustomerHistory& history, absl::CivilDay as_of,
                                      int complaints_open);

}  // namespace crm::segment

#endif  // CRM_SERVICES_SEGMENT_ENGINE_CHURN_H_
