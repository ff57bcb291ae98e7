#include "gtest/gtest.h"
#include "services/segment/engine/churn.h"

namespace crm::segment {
namespace {

// Purchase days `days_before` the as-of day, 100.00 each.
CustomerHistory Bought(absl::CivilDay as_of, std::vector<int> days_before) {
  CustomerHistory h;
  h.customer_id = "c";
  std::sort(days_before.rbegin(), days_before.rend());
  for (int d : days_before) {
    h.days.emplace_back(as_of - d, 10000);
    ++h.purchases;
    h.total_cents += 10000;
  }
  return h;
}

const absl::CivilDay kAsOf(2026, 6, 30);

TEST(ChurnReasonsTest, ARegularCustomerShowsNoSign) {
  EXPECT_TRUE(ChurnReasons(Bought(kAsOf, {300, 240, 180, 120, 60, 5}), kAsOf, 0).empty());
}

TEST(ChurnReasonsTest, OverdueIsMeasuredAgainstTheCustomersOwnInterval) {
  // Every 60 days, last 151 days ago: 151 > 2 x 60 + 30.
  const auto reasons = ChurnReasons(Bought(kAsOf, {391, 331, 271, 211, 151}), kAsOf, 0);
  ASSERT_FALSE(reasons.empty());
  EXPECT_EQ(reasons[0], "overdue: last purchase 151 days ago, usual interval 60.0 days");
  // Exactly 2 x 60 + 30 is not overdue yet.
  const auto on_time = ChurnReasons(Bought(kAsOf, {390, 330, 270, 210, 150}), kAsOf, 0);
  for (const std::string& r : on_time) EXPECT_EQ(r.find("overdue"), std::string::npos) << r;
}

TEST(ChurnReasonsTest, NewCustomersAndSingleBuyersShowNoPurchaseSigns) {
  EXPECT_TRUE(ChurnReasons(Bought(kAsOf, {89, 80}), kAsOf, 0).empty());  // under 90 days
  EXPECT_TRUE(ChurnReasons(Bought(kAsOf, {400}), kAsOf, 0).empty());     // one purchase day
}

TEST(ChurnReasonsTest, OpenComplaintsCountFromTwo) {
  EXPECT_TRUE(ChurnReasons(Bought(kAsOf, {10}), kAsOf, 1).empty());
  const auto reasons = ChurnReasons(Bought(kAsOf, {10}), kAsOf, 2);
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_EQ(reasons[0], "complaints: 2 open");
}

}  // namespace
}  // namespace crm::segment
