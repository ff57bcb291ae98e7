// A member's loyalty measures from its purchase history.
#include "services/loyalty/loyalty_metrics.h"

#include "common/sql_util.h"
#include "gtest/gtest.h"

namespace crm::loyalty {
namespace {

const absl::Time kStart = absl::FromCivil(absl::CivilSecond(2026, 1, 5, 10, 0, 0),
                                          absl::UTCTimeZone());
const absl::Duration kDay = absl::Hours(24);

v1::Purchase Bought(absl::Time at, int64_t fresh, int64_t other) {
  v1::Purchase p;
  ToProtoTimestamp(at, p.mutable_purchase_time());
  for (const auto& [category, amount] : {std::pair{"fresh", fresh}, std::pair{"household", other}}) {
    if (amount == 0) continue;
    v1::PurchaseLine* line = p.add_lines();
    line->set_category(category);
    line->set_amount_minor(amount);
    p.set_total_minor(p.total_minor() + amount);
  }
  return p;
}

// Weekly shopping for 20 weeks: 60 on fresh food and 40 on household goods.
MemberHistory Weekly() {
  MemberHistory h;
  h.member.set_member_id("m");
  h.member.set_tenure_days(200);
  h.member.set_lifetime_earned(2000);
  h.points_burned = 500;
  for (int week = 0; week < 20; ++week) h.purchases.push_back(Bought(kStart + week * 7 * kDay, 6000, 4000));
  return h;
}

TEST(LoyaltyMetricsTest, ARegularShopperHasARhythmAndSharesByCategory) {
  const MemberHistory h = Weekly();
  const absl::Time last = kStart + 19 * 7 * kDay;
  const v1::LoyaltyMetrics m = ComputeLoyaltyMetrics(h, last + 3 * kDay);
  EXPECT_EQ(m.purchase_count(), 20);
  EXPECT_EQ(m.repeat_purchase_count(), 19);
  EXPECT_DOUBLE_EQ(m.average_interval_days(), 7.0);
  EXPECT_DOUBLE_EQ(m.interval_variation(), 0.0);
  EXPECT_DOUBLE_EQ(m.days_since_last_purchase(), 3.0);
  EXPECT_EQ(FromProtoTimestamp(m.expected_next_purchase()), last + 7 * kDay);
  EXPECT_FALSE(m.churn_risk());
  ASSERT_EQ(m.category_shares_size(), 2);
  EXPECT_EQ(m.category_shares(0).category(), "fresh");
  EXPECT_DOUBLE_EQ(m.category_shares(0).share(), 0.6);
  EXPECT_DOUBLE_EQ(m.burn_ratio(), 0.25);
  EXPECT_EQ(m.tenure_days(), 200);
}

TEST(LoyaltyMetricsTest, AnOverdueShopperIsAChurnRisk) {
  const absl::Time last = kStart + 19 * 7 * kDay;
  EXPECT_FALSE(ComputeLoyaltyMetrics(Weekly(), last + 10 * kDay).churn_risk());
  EXPECT_TRUE(ComputeLoyaltyMetrics(Weekly(), last + 11 * kDay).churn_risk());
  MemberHistory two;
  two.purchases = {Bought(kStart, 100, 0), Bought(kStart + 10 * kDay, 100, 0)};
  EXPECT_FALSE(ComputeLoyaltyMetrics(two, kStart + 30 * kDay).churn_risk());
  EXPECT_TRUE(ComputeLoyaltyMetrics(two, kStart + 31 * kDay).churn_risk());
  MemberHistory one;
  one.purchases = {Bought(kStart, 100, 0)};
  const v1::LoyaltyMetrics m = ComputeLoyaltyMetrics(one, kStart + 400 * kDay);
  EXPECT_FALSE(m.churn_risk());  // no rhythm to be late against
  EXPECT_EQ(m.average_interval_days(), 0);
}

TEST(LoyaltyMetricsTest, TheTrendComparesTheLastNinetyDaysWithTheNinetyBeforeNetOfReturns) {
  MemberHistory h;
  const absl::Time now = kStart + 200 * kDay;
  h.purchases.push_back(Bought(now - 150 * kDay, 10000, 0));
  h.purchases.push_back(Bought(now - 30 * kDay, 10000, 5000));
  h.purchases.back().set_returned_minor(2000);
  h.purchases.back().set_discount_minor(500);
  const v1::LoyaltyMetrics m = ComputeLoyaltyMetrics(h, now);
  EXPECT_EQ(m.spend_previous_90_days_minor(), 10000);
  EXPECT_EQ(m.spend_last_90_days_minor(), 12500);
  EXPECT_DOUBLE_EQ(m.spend_trend_percent(), 25.0);
  EXPECT_EQ(NetSpend(h.purchases.back()), 12500);
}

}  // namespace
}  // namespace crm::loyalty
