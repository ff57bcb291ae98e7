#include "services/loyalty/rewards.h"

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/sql_util.h"
#include "common/text.h"

namespace crm::loyalty {
namespace {

constexpr int64_t kMaxPoints = 1'000'000'000;

absl::Time EndOf(const v1::Reward& reward) {
  return reward.has_end_time() ? FromProtoTimestamp(reward.end_time()) : absl::InfiniteFuture();
}

}  // namespace

absl::Status ValidateNewReward(v1::Reward& reward, absl::Time now) {
  if (!IsValidId(reward.program_id())) {
    return InvalidArgument("reward.program_id", "must be a 26-character id");
  }
  if (absl::Status s = CheckText("reward.display_name", *reward.mutable_display_name(), 1, 200);
      !s.ok()) {
    return s;
  }
  if (reward.cost_points() < 1 || reward.cost_points() > kMaxPoints) {
    return InvalidArgument("reward.cost_points", "must be 1-1000000000");
  }
  if (reward.has_stock() && (reward.stock() < 0 || reward.stock() > kMaxPoints)) {
    return InvalidArgument("reward.stock", "must be 0-1000000000, or unset for unlimited");
  }
  if (!reward.has_start_time()) ToProtoTimestamp(now, reward.mutable_start_time());
  if (reward.has_end_time() &&
      !(FromProtoTimestamp(reward.start_time()) < FromProtoTimestamp(reward.end_time()))) {
    return InvalidArgument("reward.end_time", "must be after start_time");
  }
  if (!reward.allow_partial()) {
    reward.set_min_points(reward.cost_points());
  } else if (reward.min_points() < 1 || reward.min_points() > reward.cost_points()) {
    return InvalidArgument("reward.min_points", "must be 1 to cost_points for a partial reward");
  }
  return absl::OkStatus();
}

bool IsRedeemable(const v1::Reward& reward, absl::Time now) {
  return FromProtoTimestamp(reward.start_time()) <= now && now < EndOf(reward) &&
         (!reward.has_stock() || reward.stock() > 0);
}

absl::StatusOr<int64_t> RedemptionPoints(const v1::Reward& reward, int32_t quantity,
                                         int64_t points, absl::Time now) {
  if (FromProtoTimestamp(reward.start_time()) > now || now >= EndOf(reward)) {
    return Error(absl::StatusCode::kFailedPrecondition, "REWARD_NOT_AVAILABLE",
                 absl::StrCat("reward ", reward.reward_id(), " is not redeemable now"),
                 {{"reward_id", reward.reward_id()}});
  }
  if (reward.has_stock() && reward.stock() < quantity) {
    return Error(absl::StatusCode::kFailedPrecondition, "OUT_OF_STOCK",
                 absl::StrCat("reward ", reward.reward_id(), " has ", reward.stock(),
                              " units left; ", quantity, " asked"),
                 {{"reward_id", reward.reward_id()}, {"stock", absl::StrCat(reward.stock())}});
  }
  // quantity <= 1000 and cost <= 10^9: no overflow.
  const int64_t full = reward.cost_points() * quantity;
  if (points == 0 || points == full) return full;
  const int64_t least = (reward.allow_partial() ? reward.min_points() : reward.cost_points()) *
                        quantity;
  if (!reward.allow_partial()) {
    return InvalidArgument("points", absl::StrCat("reward ", reward.reward_id(),
                                                  " takes its full cost of ", full, " points"));
  }
  if (points < least || points > full) {
    return InvalidArgument("points", absl::StrCat("must be ", least, "-", full,
                                                  " points for this reward and quantity"));
  }
  return points;
}

}  // namespace crm::loyalty
