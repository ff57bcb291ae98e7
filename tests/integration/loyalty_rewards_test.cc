// The rewards catalogue and redemptions on a real MariaDB: spending
// earliest-expiring points first, stock, validity, partial redemption,
// cancellation back into the original lots, and no overspending under
// concurrent redemptions (the fixture checks the ledger invariants).
#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tests/integration/loyalty_fixture.h"
#include "tests/support/status_matchers.h"

namespace crm::loyalty {
namespace {

using Code = absl::StatusCode;
using testing::IsError;

class LoyaltyRewardsTest : public LoyaltyServiceTest {
 protected:
  absl::StatusOr<v1::Reward> CreateReward(const std::string& program_id, int64_t cost,
                                          std::optional<int64_t> stock = std::nullopt,
                                          int64_t min_points = 0) {
    v1::CreateRewardRequest r;
    v1::Reward& reward = *r.mutable_reward();
    reward.set_program_id(program_id);
    reward.set_display_name(absl::StrCat("voucher ", cost));
    reward.set_cost_points(cost);
    if (stock.has_value()) reward.set_stock(*stock);
    if (min_points > 0) {
      reward.set_allow_partial(true);
      reward.set_min_points(min_points);
    }
    auto created = service_.CreateReward(r);
    if (!created.ok()) return created.status();
    return created->reward();
  }

  absl::StatusOr<v1::RedeemRewardResponse> Redeem(const std::string& member_id,
                                                  const std::string& reward_id,
                                                  const std::string& request_id,
                                                  int32_t quantity = 1, int64_t points = 0) {
    v1::RedeemRewardRequest r;
    r.set_request_id(request_id);
    r.set_member_id(member_id);
    r.set_reward_id(reward_id);
    r.set_quantity(quantity);
    r.set_points(points);
    return service_.RedeemReward(r);
  }

  absl::StatusOr<v1::CancelRedemptionResponse> Cancel(const std::string& redemption_id,
                                                      const std::string& request_id) {
    v1::CancelRedemptionRequest r;
    r.set_request_id(request_id);
    r.set_redemption_id(redemption_id);
    r.set_reason("customer changed their mind");
    return service_.CancelRedemption(r);
  }

  int64_t Stock(const std::string& reward_id) {
    int64_t stock = -1;
    EXPECT_TRUE(absl::SimpleAtoi(
        db_.Query(absl::StrCat("SELECT stock FROM rewards WHERE reward_id = '", reward_id, "'")),
        &stock));
    return stock;
  }
};

TEST_F(LoyaltyRewardsTest, TheCatalogueListsWhatIsRedeemableNowPageByPage) {
  const std::string program = CreateProgram();
  std::vector<std::string> available;
  for (int cost : {10, 20, 30}) {
    auto reward = CreateReward(program, cost);
    ASSERT_TRUE(reward.ok()) << Describe(reward.status());
    available.push_back(reward->reward_id());
  }
  auto sold_out = CreateReward(program, 40, 0);
  ASSERT_TRUE(sold_out.ok());
  v1::CreateRewardRequest later;
  later.mutable_reward()->set_program_id(program);
  later.mutable_reward()->set_display_name("summer gift");
  later.mutable_reward()->set_cost_points(5);
  ToProtoTimestamp(clock_.Now() + absl::Hours(24), later.mutable_reward()->mutable_start_time());
  ASSERT_TRUE(service_.CreateReward(later).ok());

  v1::ListRewardsRequest list;
  list.set_program_id(program);
  list.set_page_size(2);
  std::vector<std::string> seen;
  for (;;) {
    auto page = service_.ListRewards(list);
    ASSERT_TRUE(page.ok()) << Describe(page.status());
    for (const v1::Reward& r : page->rewards()) seen.push_back(r.reward_id());
    if (page->next_page_token().empty()) break;
    list.set_page_token(page->next_page_token());
  }
  EXPECT_EQ(seen, available);

  list.set_page_token("");
  list.set_page_size(100);
  list.set_include_unavailable(true);
  auto all = service_.ListRewards(list);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->rewards_size(), 5);

  list.set_program_id(ids_.Next());
  EXPECT_TRUE(IsError(service_.ListRewards(list).status(),
                      Code::kNotFound, "PROGRAM_NOT_FOUND"));
  EXPECT_TRUE(IsError(CreateReward(ids_.Next(), 10).status(),
                      Code::kNotFound, "PROGRAM_NOT_FOUND"));
  EXPECT_TRUE(IsError(CreateReward(program, 0).status(),
                      Code::kInvalidArgument, "INVALID_FIELD", "reward.cost_points"));
  EXPECT_TRUE(IsError(CreateReward(program, 10, std::nullopt, 11).status(),
                      Code::kInvalidArgument, "INVALID_FIELD", "reward.min_points"));
}

TEST_F(LoyaltyRewardsTest, RedeemingSpendsTheEarliestExpiringPointsOnceAndTakesStock) {
  const std::string program = CreateProgram();
  const v1::Member member = Enroll(program);  // 100 bonus points, expiring in 12 months
  clock_.Advance(absl::Hours(24) * 30);
  ASSERT_TRUE(Adjust(member.member_id(), 50, "goodwill").ok());  // expires a month later
  auto reward = CreateReward(program, 60, 3);
  ASSERT_TRUE(reward.ok());

  auto redeemed = Redeem(member.member_id(), reward->reward_id(), "redeem-1");
  ASSERT_TRUE(redeemed.ok()) << Describe(redeemed.status());
  EXPECT_EQ(redeemed->redemption().points(), 60);
  EXPECT_EQ(redeemed->redemption().full_points(), 60);
  EXPECT_EQ(redeemed->redemption().state(), v1::Redemption::STATE_REDEEMED);
  EXPECT_EQ(redeemed->member().available_points(), 90);
  // The bonus lot paid: 40 of it is left, the adjustment's 50 untouched.
  ASSERT_EQ(redeemed->member().expiring_size(), 2);
  EXPECT_EQ(redeemed->member().expiring(0).points(), 40);
  EXPECT_EQ(redeemed->member().expiring(1).points(), 50);
  EXPECT_EQ(Stock(reward->reward_id()), 2);

  auto replay = Redeem(member.member_id(), reward->reward_id(), "redeem-1");
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay->redemption().redemption_id(), redeemed->redemption().redemption_id());
  EXPECT_EQ(Get(member.member_id()).available_points(), 90);
  EXPECT_EQ(Stock(reward->reward_id()), 2);

  EXPECT_TRUE(IsError(Redeem(member.member_id(), reward->reward_id(), "redeem-2", 2).status(),
                      Code::kFailedPrecondition, "INSUFFICIENT_POINTS"));
  EXPECT_TRUE(IsError(Redeem(member.member_id(), reward->reward_id(), "redeem-1", 2).status(),
                      Code::kFailedPrecondition, "IDEMPOTENCY_KEY_REUSED"));
  EXPECT_EQ(Get(member.member_id()).available_points(), 90);
  EXPECT_EQ(Stock(reward->reward_id()), 2);
}

TEST_F(LoyaltyRewardsTest, StockValidityProgramAndPartialRulesAreEnforced) {
  const std::string program = CreateProgram();
  const v1::Member member = Enroll(program);
  ASSERT_TRUE(Adjust(member.member_id(), 1000, "top-up").ok());
  auto scarce = CreateReward(program, 10, 1);
  ASSERT_TRUE(scarce.ok());
  EXPECT_TRUE(IsError(Redeem(member.member_id(), scarce->reward_id(), "r1", 2).status(),
                      Code::kFailedPrecondition, "OUT_OF_STOCK"));
  ASSERT_TRUE(Redeem(member.member_id(), scarce->reward_id(), "r2").ok());
  EXPECT_TRUE(IsError(Redeem(member.member_id(), scarce->reward_id(), "r3").status(),
                      Code::kFailedPrecondition, "OUT_OF_STOCK"));

  v1::CreateRewardRequest windowed;
  windowed.mutable_reward()->set_program_id(program);
  windowed.mutable_reward()->set_display_name("new year gift");
  windowed.mutable_reward()->set_cost_points(5);
  ToProtoTimestamp(clock_.Now() + absl::Hours(1), windowed.mutable_reward()->mutable_start_time());
  ToProtoTimestamp(clock_.Now() + absl::Hours(2), windowed.mutable_reward()->mutable_end_time());
  auto gift = service_.CreateReward(windowed);
  ASSERT_TRUE(gift.ok());
  const std::string gift_id = gift->reward().reward_id();
  EXPECT_TRUE(IsError(Redeem(member.member_id(), gift_id, "r4").status(),
                      Code::kFailedPrecondition, "REWARD_NOT_AVAILABLE"));
  clock_.Advance(absl::Hours(1));
  EXPECT_TRUE(Redeem(member.member_id(), gift_id, "r5").ok());
  clock_.Advance(absl::Hours(1));  // the end is exclusive
  EXPECT_TRUE(IsError(Redeem(member.member_id(), gift_id, "r6").status(),
                      Code::kFailedPrecondition, "REWARD_NOT_AVAILABLE"));

  const std::string other_program = CreateProgram();
  auto elsewhere = CreateReward(other_program, 10);
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_TRUE(IsError(Redeem(member.member_id(), elsewhere->reward_id(), "r7").status(),
                      Code::kNotFound, "REWARD_NOT_FOUND"));
  EXPECT_TRUE(IsError(Redeem(member.member_id(), ids_.Next(), "r8").status(),
                      Code::kNotFound, "REWARD_NOT_FOUND"));
  EXPECT_TRUE(IsError(Redeem(ids_.Next(), scarce->reward_id(), "r9").status(),
                      Code::kNotFound, "MEMBER_NOT_FOUND"));

  // Partial: 100 points per unit in full, at least 40 per unit in points.
  auto partial = CreateReward(program, 100, std::nullopt, 40);
  ASSERT_TRUE(partial.ok());
  auto part = Redeem(member.member_id(), partial->reward_id(), "r10", 2, 90);
  ASSERT_TRUE(part.ok()) << Describe(part.status());
  EXPECT_EQ(part->redemption().points(), 90);
  EXPECT_EQ(part->redemption().full_points(), 200);
  EXPECT_TRUE(IsError(Redeem(member.member_id(), partial->reward_id(), "r11", 2, 79).status(),
                      Code::kInvalidArgument, "INVALID_FIELD", "points"));
  EXPECT_TRUE(IsError(Redeem(member.member_id(), partial->reward_id(), "r12", 1, 101).status(),
                      Code::kInvalidArgument, "INVALID_FIELD", "points"));
  auto whole = CreateReward(program, 10);
  ASSERT_TRUE(whole.ok());
  EXPECT_TRUE(IsError(Redeem(member.member_id(), whole->reward_id(), "r13", 1, 5).status(),
                      Code::kInvalidArgument, "INVALID_FIELD", "points"));
  EXPECT_TRUE(IsError(Redeem(member.member_id(), partial->reward_id(), "", 1).status(),
                      Code::kInvalidArgument, "INVALID_FIELD", "request_id"));
  EXPECT_TRUE(IsError(Redeem(member.member_id(), partial->reward_id(), "r14", 1001).status(),
                      Code::kInvalidArgument, "INVALID_FIELD", "quantity"));
  EXPECT_EQ(Get(member.member_id()).available_points(), 1100 - 10 - 5 - 90);
}

TEST_F(LoyaltyRewardsTest, CancellingPutsPointsBackIntoTheirLotsUnlessTheyExpired) {
  const std::string program = CreateProgram();
  const v1::Member member = Enroll(program);  // 100 points expiring at +12 months
  clock_.Advance(absl::Hours(24) * 180);
  ASSERT_TRUE(Adjust(member.member_id(), 50, "goodwill").ok());  // expiring at +18 months
  auto reward = CreateReward(program, 120, 5);
  ASSERT_TRUE(reward.ok());
  auto first = Redeem(member.member_id(), reward->reward_id(), "redeem-1");
  ASSERT_TRUE(first.ok()) << Describe(first.status());

  auto cancelled = Cancel(first->redemption().redemption_id(), "cancel-1");
  ASSERT_TRUE(cancelled.ok()) << Describe(cancelled.status());
  EXPECT_EQ(cancelled->redemption().state(), v1::Redemption::STATE_CANCELLED);
  EXPECT_EQ(cancelled->redemption().points_refunded(), 120);
  EXPECT_EQ(cancelled->redemption().points_lapsed(), 0);
  EXPECT_EQ(cancelled->member().available_points(), 150);
  ASSERT_EQ(cancelled->member().expiring_size(), 2);
  EXPECT_EQ(cancelled->member().expiring(0).points(), 100);  // each lot whole again
  EXPECT_EQ(Stock(reward->reward_id()), 5);
  auto replay = Cancel(first->redemption().redemption_id(), "cancel-1");
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay->member().available_points(), 150);
  EXPECT_TRUE(IsError(Cancel(first->redemption().redemption_id(), "cancel-2").status(),
                      Code::kFailedPrecondition, "ALREADY_CANCELLED"));
  EXPECT_TRUE(IsError(Cancel(ids_.Next(), "cancel-3").status(),
                      Code::kNotFound, "REDEMPTION_NOT_FOUND"));
  v1::ListRedemptionsRequest list;
  list.set_member_id(member.member_id());
  auto listed = service_.ListRedemptions(list);
  ASSERT_TRUE(listed.ok()) << Describe(listed.status());
  ASSERT_EQ(listed->redemptions_size(), 1);
  EXPECT_EQ(listed->redemptions(0).state(), v1::Redemption::STATE_CANCELLED);
  EXPECT_EQ(listed->redemptions(0).points_refunded(), 120);

  // Spent again, then the bonus lot's expiry passes before the cancellation:
  // its 100 points lapse, the adjustment's 20 come back.
  auto second = Redeem(member.member_id(), reward->reward_id(), "redeem-2");
  ASSERT_TRUE(second.ok());
  clock_.Advance(absl::Hours(24) * 200);
  auto late = Cancel(second->redemption().redemption_id(), "cancel-4");
  ASSERT_TRUE(late.ok()) << Describe(late.status());
  EXPECT_EQ(late->redemption().points_refunded(), 20);
  EXPECT_EQ(late->redemption().points_lapsed(), 100);
  EXPECT_EQ(late->member().available_points(), 50);
}

TEST_F(LoyaltyRewardsTest, ConcurrentRedemptionsNeverOverspend) {
  const std::string program = CreateProgram();
  const v1::Member member = Enroll(program);  // 100 points
  auto reward = CreateReward(program, 30, 100);
  ASSERT_TRUE(reward.ok());
  std::atomic<int> redeemed{0}, refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] {
      auto r = Redeem(member.member_id(), reward->reward_id(), absl::StrCat("concurrent-", i));
      if (r.ok()) {
        ++redeemed;
      } else if (ReasonOf(r.status()) == "INSUFFICIENT_POINTS") {
        ++refused;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(redeemed.load(), 3);
  EXPECT_EQ(refused.load(), 13);
  EXPECT_EQ(Get(member.member_id()).available_points(), 10);
  EXPECT_EQ(Stock(reward->reward_id()), 97);
  v1::ListRedemptionsRequest list;
  list.set_member_id(member.member_id());
  list.set_page_size(2);
  auto first = service_.ListRedemptions(list);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->redemptions_size(), 2);
  list.set_page_token(first->next_page_token());
  auto second = service_.ListRedemptions(list);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->redemptions_size(), 1);
  EXPECT_TRUE(second->next_page_token().empty());
  EXPECT_GT(first->redemptions(1).redemption_id(), second->redemptions(0).redemption_id());
}

TEST_F(LoyaltyRewardsTest, LoyaltyMetricsSeeTheRhythmSharesAndBurnedPoints) {
  const std::string program = CreateProgram();
  const v1::Member member = Enroll(program);  // 100 bonus points
  for (int week = 0; week < 3; ++week) {
    ASSERT_TRUE(service_.RecordPurchase(Purchase(member.member_id(), absl::StrCat("w", week),
                                                 3000, 1000))
                    .ok());
    clock_.Advance(absl::Hours(24 * 7));
  }
  auto reward = CreateReward(program, 40);
  ASSERT_TRUE(reward.ok());
  ASSERT_TRUE(Redeem(member.member_id(), reward->reward_id(), "spend-1").ok());
  v1::GetLoyaltyMetricsRequest r;
  r.set_member_id(member.member_id());
  auto got = service_.GetLoyaltyMetrics(r);
  ASSERT_TRUE(got.ok()) << Describe(got.status());
  const v1::LoyaltyMetrics& m = got->metrics();
  EXPECT_EQ(m.purchase_count(), 3);
  EXPECT_DOUBLE_EQ(m.average_interval_days(), 7.0);
  EXPECT_DOUBLE_EQ(m.days_since_last_purchase(), 7.0);
  EXPECT_FALSE(m.churn_risk());
  ASSERT_EQ(m.category_shares_size(), 2);
  EXPECT_EQ(m.category_shares(0).category(), "fresh");
  EXPECT_DOUBLE_EQ(m.category_shares(0).share(), 0.75);
  // 100 enrollment + 3 x 70 earned + 50 first purchase; 40 burned.
  EXPECT_EQ(m.points_earned(), 360);
  EXPECT_EQ(m.points_burned(), 40);
  EXPECT_EQ(m.tenure_days(), 21);
  r.set_member_id(ids_.Next());
  EXPECT_TRUE(IsError(service_.GetLoyaltyMetrics(r).status(), Code::kNotFound,
                      "MEMBER_NOT_FOUND"));
}

}  // namespace
}  // namespace crm::loyalty
