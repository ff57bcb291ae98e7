// Earning rules, expiry dates and rule validation of the loyalty program.
#include "services/loyalty/earning.h"

#include "common/errors.h"
#include "common/sql_util.h"
#include "gtest/gtest.h"

namespace crm::loyalty {
namespace {

const absl::Time kNoon = absl::FromCivil(absl::CivilSecond(2026, 5, 10, 12, 0, 0),
                                         absl::UTCTimeZone());

v1::PurchaseLine Line(const std::string& sku, const std::string& category, int64_t amount) {
  v1::PurchaseLine line;
  line.set_sku(sku);
  line.set_category(category);
  line.set_quantity(1);
  line.set_amount_minor(amount);
  return line;
}

v1::EarningRules Rules() {
  v1::EarningRules r;
  r.set_points_per_currency_unit(1);
  auto* fresh = r.add_category_rates();
  fresh->set_category("fresh");
  fresh->set_points_per_currency_unit(2);
  auto* wine = r.add_sku_rates();
  wine->set_sku("wine-1");
  wine->set_points_per_currency_unit(5);
  return r;
}

TEST(EarningTest, SkuRateBeatsCategoryRateBeatsBaseRate) {
  const v1::EarningRules r = Rules();
  EXPECT_EQ(LinePoints(r, Line("bread", "bakery", 1999), 2, kNoon), 19);  // 19.99 x 1
  EXPECT_EQ(LinePoints(r, Line("apple", "fresh", 1999), 2, kNoon), 39);   // 19.99 x 2
  EXPECT_EQ(LinePoints(r, Line("wine-1", "fresh", 1999), 2, kNoon), 99);  // 19.99 x 5
  EXPECT_EQ(LinePoints(r, Line("bread", "", 1999), 0, kNoon), 1999);      // yen: no minor unit
}

TEST(EarningTest, CampaignsApplyInsideTheirWindowAndTheLargestWins) {
  v1::EarningRules r = Rules();
  auto* may = r.add_campaigns();
  may->set_name("fresh May");
  ToProtoTimestamp(kNoon, may->mutable_start_time());
  ToProtoTimestamp(kNoon + absl::Hours(24), may->mutable_end_time());
  may->set_multiplier_percent(200);
  may->add_categories("fresh");
  auto* all = r.add_campaigns();
  all->set_name("weekend");
  ToProtoTimestamp(kNoon - absl::Hours(1), all->mutable_start_time());
  ToProtoTimestamp(kNoon + absl::Hours(1), all->mutable_end_time());
  all->set_multiplier_percent(150);
  const v1::PurchaseLine apple = Line("apple", "fresh", 1000);
  EXPECT_EQ(LinePoints(r, apple, 2, kNoon - absl::Seconds(1)), 30);  // weekend only: 20 x 1.5
  EXPECT_EQ(LinePoints(r, apple, 2, kNoon), 40);                     // both: the larger
  EXPECT_EQ(LinePoints(r, Line("bread", "bakery", 1000), 2, kNoon), 15);
  EXPECT_EQ(LinePoints(r, apple, 2, kNoon + absl::Hours(24)), 20);  // end is exclusive
}

TEST(EarningTest, HugeAmountsDoNotOverflow) {
  v1::EarningRules r;
  r.set_points_per_currency_unit(10000);
  auto* c = r.add_campaigns();
  c->set_name("x");
  ToProtoTimestamp(kNoon, c->mutable_start_time());
  ToProtoTimestamp(kNoon + absl::Hours(1), c->mutable_end_time());
  c->set_multiplier_percent(1000);
  EXPECT_EQ(LinePoints(r, Line("a", "", 1'000'000'000'000), 2, kNoon), 1'000'000'000'000'000);
  // A whole purchase stops at 10^12 points, so balances stay inside 64 bits.
  v1::Purchase p;
  ToProtoTimestamp(kNoon, p.mutable_purchase_time());
  *p.add_lines() = Line("a", "", 1'000'000'000'000);
  EXPECT_EQ(PurchasePoints(r, p, 2, 0), kMaxPointsPerPurchase);
}

TEST(EarningTest, CapsPerPurchaseAndPerDay) {
  v1::EarningRules r = Rules();
  v1::Purchase p;
  ToProtoTimestamp(kNoon, p.mutable_purchase_time());
  *p.add_lines() = Line("bread", "", 10000);  // 100 points
  *p.add_lines() = Line("apple", "fresh", 10000);  // 200 points
  EXPECT_EQ(PurchasePoints(r, p, 2, 0), 300);
  r.set_max_points_per_purchase(250);
  EXPECT_EQ(PurchasePoints(r, p, 2, 0), 250);
  r.set_max_points_per_day(400);
  EXPECT_EQ(PurchasePoints(r, p, 2, 100), 250);
  EXPECT_EQ(PurchasePoints(r, p, 2, 300), 100);
  EXPECT_EQ(PurchasePoints(r, p, 2, 450), 0);
}

TEST(EarningTest, ExpiryDates) {
  v1::ExpiryPolicy never;
  EXPECT_EQ(ExpiryOf(never, kNoon), absl::InfiniteFuture());
  v1::ExpiryPolicy months;
  months.set_kind(v1::ExpiryPolicy::KIND_MONTHS_AFTER_EARNING);
  months.set_months(12);
  const absl::Time earned = kNoon + absl::Milliseconds(250);
  EXPECT_EQ(ExpiryOf(months, earned),
            absl::FromCivil(absl::CivilSecond(2027, 5, 10, 12, 0, 0), absl::UTCTimeZone()) +
                absl::Milliseconds(250));
  months.set_months(1);
  const absl::Time jan31 =
      absl::FromCivil(absl::CivilSecond(2028, 1, 31, 8, 30, 0), absl::UTCTimeZone());
  EXPECT_EQ(ExpiryOf(months, jan31),
            absl::FromCivil(absl::CivilSecond(2028, 2, 29, 8, 30, 0), absl::UTCTimeZone()));
  v1::ExpiryPolicy year_end;
  year_end.set_kind(v1::ExpiryPolicy::KIND_END_OF_YEAR);
  year_end.set_years(1);
  EXPECT_EQ(ExpiryOf(year_end, kNoon),
            absl::FromCivil(absl::CivilSecond(2028, 1, 1, 0, 0, 0), absl::UTCTimeZone()));
}

TEST(EarningTest, RulesAreValidated) {
  auto field_of = [](v1::ProgramRules rules) {
    absl::Status s = ValidateRules(rules, "rules");
    return s.ok() ? std::string("ok") : MetadataOf(s)["field"];
  };
  v1::ProgramRules ok;
  *ok.mutable_earning() = Rules();
  EXPECT_EQ(field_of(ok), "ok");
  v1::ProgramRules bad = ok;
  bad.mutable_earning()->set_points_per_currency_unit(10001);
  EXPECT_EQ(field_of(bad), "rules.earning.points_per_currency_unit");
  bad = ok;
  bad.mutable_earning()->mutable_category_rates(0)->clear_category();
  EXPECT_EQ(field_of(bad), "rules.earning.category_rates[0].category");
  bad = ok;
  auto* c = bad.mutable_earning()->add_campaigns();
  c->set_name("backwards");
  ToProtoTimestamp(kNoon, c->mutable_start_time());
  ToProtoTimestamp(kNoon, c->mutable_end_time());
  c->set_multiplier_percent(200);
  EXPECT_EQ(field_of(bad), "rules.earning.campaigns[0].end_time");
  bad = ok;
  bad.mutable_earning()->set_max_points_per_day(-1);
  EXPECT_EQ(field_of(bad), "rules.earning.max_points_per_day");
  bad = ok;
  bad.mutable_expiry()->set_kind(v1::ExpiryPolicy::KIND_MONTHS_AFTER_EARNING);
  EXPECT_EQ(field_of(bad), "rules.expiry.months");
  bad = ok;
  bad.set_pending_days(400);
  EXPECT_EQ(field_of(bad), "rules.pending_days");
}

}  // namespace
}  // namespace crm::loyalty
