#ifndef CRM_SERVICES_LOYALTY_REWARDS_H_
#define CRM_SERVICES_LOYALTY_REWARDS_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "crm/loyalty/v1/rewards.pb.h"

// The rules of the rewards catalogue, free of storage.
namespace crm::loyalty {

// Checks a reward to create (everything but its ids and create_time) and
// fills a missing start_time with `now`.
absl::Status ValidateNewReward(v1::Reward& reward, absl::Time now);

// Whether `reward` is redeemable at `now` (validity and stock).
bool IsRedeemable(const v1::Reward& reward, absl::Time now);

// The points a redemption of `quantity` units spends, `points` being what
// the member asked to spend (0: the full cost). FAILED_PRECONDITION /
// REWARD_NOT_AVAILABLE or OUT_OF_STOCK, INVALID_ARGUMENT for points the
// reward does not accept.
absl::StatusOr<int64_t> RedemptionPoints(const v1::Reward& reward, int32_t quantity,
                                         int64_t points, absl::Time now);

}  // namespace crm::loyalty

#endif  // CRM_SERVICES_LOYALTY_REWARDS_H_
