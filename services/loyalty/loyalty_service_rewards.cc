// LoyaltyService: the rewards catalogue and redemptions.
#include "services/loyalty/loyalty_service.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/idempotency.h"
#include "common/paging.h"
#include "common/sql_util.h"
#include "common/text.h"
#include "services/loyalty/rewards.h"

namespace crm::loyalty {

absl::StatusOr<v1::CreateRewardResponse> LoyaltyService::CreateReward(
    const v1::CreateRewardRequest& request) {
  auto key = MakeRequestKey("CreateReward", request.request_id(), request);
  if (!key.ok()) return key.status();
  v1::Reward reward = request.reward();
  const absl::Time now = clock_->Now();
  if (absl::Status s = ValidateNewReward(reward, now); !s.ok()) return s;
  reward.set_reward_id(ids_->Next());
  ToProtoTimestamp(now, reward.mutable_create_time());
  auto created = store_->CreateReward(*key, reward);
  if (!created.ok()) return created.status();
  v1::CreateRewardResponse response;
  *response.mutable_reward() = *std::move(created);
  return response;
}

absl::StatusOr<v1::ListRewardsResponse> LoyaltyService::ListRewards(
    const v1::ListRewardsRequest& request) {
  if (absl::Status s = ValidId("program_id", request.program_id()); !s.ok()) return s;
  auto page_size = PageSize(request.page_size(), 100, 1000);
  if (!page_size.ok()) return page_size.status();
  const std::string scope =
      absl::StrCat(request.program_id(), request.include_unavailable() ? "/all" : "/available");
  auto after = DecodePageToken(request.page_token(), scope);
  if (!after.ok()) return after.status();
  auto rewards = store_->ListRewards(request.program_id(), *after, request.include_unavailable(),
                                     clock_->Now(), *page_size + 1);
  if (!rewards.ok()) return rewards.status();
  v1::ListRewardsResponse response;
  response.set_next_page_token(TakePage(*rewards, *page_size, scope,
                                        *response.mutable_rewards(),
                                        [](const v1::Reward& last) { return last.reward_id(); }));
  return response;
}

absl::StatusOr<v1::RedeemRewardResponse> LoyaltyService::RedeemReward(
    const v1::RedeemRewardRequest& request) {
  if (request.request_id().empty()) {
    return InvalidArgument("request_id", "is required: a redemption must apply exactly once");
  }
  auto key = MakeRequestKey("RedeemReward", request.request_id(), request);
  if (!key.ok()) return key.status();
  if (absl::Status s = ValidId("member_id", request.member_id()); !s.ok()) return s;
  if (absl::Status s = ValidId("reward_id", request.reward_id()); !s.ok()) return s;
  const int32_t quantity = request.quantity() == 0 ? 1 : request.quantity();
  if (quantity < 1 || quantity > 1000) return InvalidArgument("quantity", "must be 1-1000");
  if (request.points() < 0) {
    return InvalidArgument("points", "must be 0 (the full cost) or a positive number of points");
  }
  const absl::Time now = clock_->Now();
  v1::Redemption redemption;
  redemption.set_redemption_id(ids_->Next());
  redemption.set_member_id(request.member_id());
  redemption.set_reward_id(request.reward_id());
  redemption.set_quantity(quantity);
  redemption.set_points(request.points());
  ToProtoTimestamp(now, redemption.mutable_create_time());
  auto redeemed = store_->Redeem(*key, redemption, now);
  if (!redeemed.ok()) return redeemed.status();
  v1::RedeemRewardResponse response;
  *response.mutable_redemption() = std::move(redeemed->redemption);
  *response.mutable_member() = std::move(redeemed->member);
  return response;
}

absl::StatusOr<v1::CancelRedemptionResponse> LoyaltyService::CancelRedemption(
    const v1::CancelRedemptionRequest& request) {
  if (request.request_id().empty()) {
    return InvalidArgument("request_id", "is required: a cancellation must apply exactly once");
  }
  auto key = MakeRequestKey("CancelRedemption", request.request_id(), request);
  if (!key.ok()) return key.status();
  if (absl::Status s = ValidId("redemption_id", request.redemption_id()); !s.ok()) return s;
  std::string reason = request.reason();
  if (absl::Status s = CheckText("reason", reason, 1, 500); !s.ok()) return s;
  auto cancelled = store_->CancelRedemption(*key, request.redemption_id(), reason, clock_->Now());
  if (!cancelled.ok()) return cancelled.status();
  v1::CancelRedemptionResponse response;
  *response.mutable_redemption() = std::move(cancelled->redemption);
  *response.mutable_member() = std::move(cancelled->member);
  return response;
}

absl::StatusOr<v1::ListRedemptionsResponse> LoyaltyService::ListRedemptions(
    const v1::ListRedemptionsRequest& request) {
  if (absl::Status s = ValidId("member_id", request.member_id()); !s.ok()) return s;
  auto page_size = PageSize(request.page_size(), 100, 1000);
  if (!page_size.ok()) return page_size.status();
  auto before = DecodePageToken(request.page_token(), request.member_id());
  if (!before.ok()) return before.status();
  auto redemptions = store_->ListRedemptions(request.member_id(), *before, *page_size + 1);
  if (!redemptions.ok()) return redemptions.status();
  v1::ListRedemptionsResponse response;
  response.set_next_page_token(
      TakePage(*redemptions, *page_size, request.member_id(), *response.mutable_redemptions(),
               [](const v1::Redemption& last) { return last.redemption_id(); }));
  return response;
}

}  // namespace crm::loyalty
