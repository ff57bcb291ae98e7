#ifndef CRM_SERVICES_LOYALTY_LOYALTY_METRICS_H_
#define CRM_SERVICES_LOYALTY_LOYALTY_METRICS_H_

#include <cstdint>
#include <vector>

#include "absl/time/time.h"
#include "crm/loyalty/v1/ledger.pb.h"
#include "crm/loyalty/v1/metrics.pb.h"

namespace crm::loyalty {

// What a member's loyalty measures are computed from.
struct MemberHistory {
  v1::Member member;
  std::vector<v1::Purchase> purchases;  // oldest first, returned_minor set
  int64_t points_burned = 0;            // redeemed minus refunded
};

// What a purchase finally cost the member: total - discount - returned.
int64_t NetSpend(const v1::Purchase& purchase);

// The measures of LoyaltyMetrics (metrics.proto) as of `now`.
v1::LoyaltyMetrics ComputeLoyaltyMetrics(const MemberHistory& history, absl::Time now);

}  // namespace crm::loyalty

#endif  // CRM_SERVICES_LOYALTY_LOYALTY_METRICS_H_
