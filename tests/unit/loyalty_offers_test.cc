// Personal shopping lists: repurchase cycles, favourites, discoveries from
// similar members, current promotions and coupon sizes by loyalty.
#include "services/loyalty/personal_offers.h"

#include "common/sql_util.h"
#include "gtest/gtest.h"

namespace crm::loyalty {
namespace {

const absl::Time kStart = absl::FromCivil(absl::CivilSecond(2026, 3, 2, 9, 0, 0),
                                          absl::UTCTimeZone());
const absl::Duration kDay = absl::Hours(24);

void Buy(MemberHistory& h, absl::Time at, const std::vector<std::pair<std::string, int64_t>>& lines) {
  v1::Purchase& p = h.purchases.emplace_back();
  ToProtoTimestamp(at, p.mutable_purchase_time());
  for (const auto& [category, amount] : lines) {
    v1::PurchaseLine* line = p.add_lines();
    line->set_category(category);
    line->set_amount_minor(amount);
    p.set_total_minor(p.total_minor() + amount);
  }
}

// Milk every 7 days, coffee every 30, wine once (a big share of spend).
MemberHistory Shopper() {
  MemberHistory h;
  for (int day = 0; day <= 56; day += 7) Buy(h, kStart + day * kDay, {{"milk", 500}});
  for (int day = 0; day <= 30; day += 30) Buy(h, kStart + day * kDay + absl::Hours(1), {{"coffee", 3000}});
  Buy(h, kStart + 10 * kDay, {{"wine", 20000}});
  std::sort(h.purchases.begin(), h.purchases.end(), [](const auto& a, const auto& b) {
    return FromProtoTimestamp(a.purchase_time()) < FromProtoTimestamp(b.purchase_time());
  });
  return h;
}

CategoryAffinity Neighbours() {
  CategoryAffinity a;
  for (int i = 0; i < 10; ++i) a.AddMember({"milk", "coffee", "biscuits"});
  for (int i = 0; i < 10; ++i) a.AddMember({"milk", "cereal"});
  for (int i = 0; i < 3; ++i) a.AddMember({"coffee", "caviar"});  // too few buyers
  a.AddMember({"milk"});
  return a;
}

TEST(PersonalOffersTest, DueItemsComeFirstThenFavouritesThenDiscoveries) {
  const MemberHistory h = Shopper();
  v1::ProgramRules rules;
  v1::Campaign* breakfast = rules.mutable_earning()->add_campaigns();
  breakfast->set_name("breakfast week");
  breakfast->add_categories("cereal");
  breakfast->set_multiplier_percent(200);
  ToProtoTimestamp(kStart, breakfast->mutable_start_time());
  ToProtoTimestamp(kStart + 365 * kDay, breakfast->mutable_end_time());
  // Day 62: milk (last day 56, cycle 7) is due since day 61.6; coffee (last
  // day 30, cycle 30) at day 54.
  const auto items = PlanOffers(h, Neighbours(), rules, 8, kStart + 62 * kDay, 8);
  ASSERT_EQ(items.size(), 5u);
  EXPECT_EQ(items[0].category(), "coffee");
  EXPECT_EQ(items[0].reason(), v1::OfferItem::REASON_DUE);
  EXPECT_DOUBLE_EQ(items[0].cycle_days(), 30);
  EXPECT_EQ(items[1].category(), "milk");
  EXPECT_EQ(items[1].reason(), v1::OfferItem::REASON_DUE);
  EXPECT_EQ(FromProtoTimestamp(items[1].due_time()), kStart + 63 * kDay);
  EXPECT_EQ(items[2].category(), "wine");
  EXPECT_EQ(items[2].reason(), v1::OfferItem::REASON_FAVOURITE);
  // Half the milk buyers and all coffee buyers of the neighbours buy
  // biscuits; caviar has too few buyers to count.
  EXPECT_EQ(items[3].category(), "biscuits");
  EXPECT_EQ(items[3].reason(), v1::OfferItem::REASON_DISCOVERY);
  EXPECT_DOUBLE_EQ(items[3].affinity(), 10.0 / 13);
  EXPECT_EQ(items[4].category(), "cereal");
  EXPECT_EQ(items[4].promotion(), "breakfast week");
  EXPECT_EQ(items[4].promotion_multiplier_percent(), 200u);
  EXPECT_EQ(items[0].percent_off(), 8u);
}

TEST(PersonalOffersTest, AShortListKeepsRoomForDiscoveriesAndNothingNotDue) {
  const MemberHistory h = Shopper();
  // Day 57: milk was bought yesterday, coffee is not due until day 54 + ...
  const auto items = PlanOffers(h, Neighbours(), v1::ProgramRules(), 5, kStart + 57 * kDay, 3);
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].category(), "coffee");  // due since day 54
  EXPECT_EQ(items[1].reason(), v1::OfferItem::REASON_DISCOVERY);
  EXPECT_EQ(items[2].reason(), v1::OfferItem::REASON_DISCOVERY);
  EXPECT_TRUE(PlanOffers(MemberHistory(), CategoryAffinity(), v1::ProgramRules(), 5,
                         kStart, 8).empty());
}

TEST(PersonalOffersTest, MoreLoyalMembersGetLargerCoupons) {
  const absl::Time now = kStart + 60 * kDay;
  MemberHistory h = Shopper();
  EXPECT_EQ(OfferPercentOff(h, 0, now), 8u);  // frequent: 5 + 3
  h.member.set_tenure_days(400);
  EXPECT_EQ(OfferPercentOff(h, 1, now), 13u);
  EXPECT_EQ(OfferPercentOff(h, 9, now), 20u);
  EXPECT_EQ(OfferPercentOff(MemberHistory(), 0, now), 5u);
}

}  // namespace
}  // namespace crm::loyalty
