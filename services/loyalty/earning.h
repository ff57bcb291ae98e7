#ifndef CRM_SERVICES_LOYALTY_EARNING_H_
#define CRM_SERVICES_LOYALTY_EARNING_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "crm/loyalty/v1/ledger.pb.h"
#include "crm/loyalty/v1/program.pb.h"

namespace crm::loyalty {

// No purchase earns more, whatever its rules.
inline constexpr int64_t kMaxPointsPerPurchase = 1'000'000'000'000;

// Points one line earns under `rules` at `time` for a member whose level
// multiplies points by `level_percent`, before any cap (see EarningRules in
// program.proto for the formula).
int64_t LinePoints(const v1::EarningRules& rules, const v1::PurchaseLine& line,
                   uint32_t currency_exponent, absl::Time time, uint32_t level_percent = 100);

// Points the purchase's lines earn on what was paid (their points times
// (total - discount) / total), capped at kMaxPointsPerPurchase, per purchase
// and by what is left of the day's cap after `earned_today`.
int64_t PurchasePoints(const v1::EarningRules& rules, const v1::Purchase& purchase,
                       uint32_t currency_exponent, int64_t earned_today,
                       uint32_t level_percent = 100, int64_t discount_minor = 0);

// When points earned at `earned` expire; InfiniteFuture when they never do.
absl::Time ExpiryOf(const v1::ExpiryPolicy& policy, absl::Time earned);

// The same day and second `months` later (or earlier, when negative), in
// UTC; a day the target month lacks becomes its last day (31 Jan + 1 month
// is 28/29 Feb).
absl::Time AddMonths(absl::Time t, int months);

// Checks a rules version and fills its defaults; INVALID_ARGUMENT /
// INVALID_FIELD naming the field under `prefix` otherwise.
absl::Status ValidateRules(v1::ProgramRules& rules, absl::string_view prefix);

}  // namespace crm::loyalty

#endif  // CRM_SERVICES_LOYALTY_EARNING_H_
