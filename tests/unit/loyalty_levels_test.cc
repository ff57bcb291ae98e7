// Membership levels: qualification, upgrade at a purchase, downgrade after
// the grace period (one level, or to the qualified level), the level
// multiplier in earning, and validation.
#include "services/loyalty/levels.h"

#include <tuple>

#include "common/errors.h"
#include "common/sql_util.h"
#include "gtest/gtest.h"
#include "services/loyalty/earning.h"

namespace crm::loyalty {
namespace {

const absl::Time kNow = absl::FromCivil(absl::CivilSecond(2026, 3, 31, 12, 0, 0),
                                        absl::UTCTimeZone());
const absl::Duration kDay = absl::Hours(24);

// silver 0, gold 1000, platinum 3000 (x1, x1.5, x2); 30 days of grace.
v1::LevelRules Levels(v1::LevelRules::Downgrade downgrade = v1::LevelRules::DOWNGRADE_ONE_LEVEL) {
  v1::LevelRules r;
  r.set_grace_days(30);
  r.set_downgrade(downgrade);
  for (const auto& [name, threshold, percent] :
       {std::tuple{"silver", 0, 0}, std::tuple{"gold", 1000, 150},
        std::tuple{"platinum", 3000, 200}}) {
    v1::Level* level = r.add_levels();
    level->set_name(name);
    level->set_threshold(threshold);
    level->set_multiplier_percent(percent);
  }
  EXPECT_TRUE(ValidateLevels(r, "levels").ok());
  return r;
}

TEST(LevelsTest, TheHighestReachedThresholdQualifies) {
  const v1::LevelRules r = Levels();
  EXPECT_EQ(QualifiedRank(r, 0), 0);
  EXPECT_EQ(QualifiedRank(r, 999), 0);
  EXPECT_EQ(QualifiedRank(r, 1000), 1);
  EXPECT_EQ(QualifiedRank(r, 1'000'000), 2);
  EXPECT_EQ(r.window_months(), 12);  // the default
  // The window is calendar months back: 31 March - 1 month = 28 February.
  v1::LevelRules one = r;
  one.set_window_months(1);
  EXPECT_EQ(QualifyingWindowStart(one, kNow),
            absl::FromCivil(absl::CivilSecond(2026, 2, 28, 12, 0, 0), absl::UTCTimeZone()));
}

TEST(LevelsTest, APurchaseUpgradesAndNeverLowers) {
  const v1::LevelRules r = Levels();
  const LevelState silver;
  const LevelState gold = UpgradeLevel(r, silver, 1500, kNow);
  EXPECT_EQ(gold, (LevelState{1, kNow, std::nullopt}));
  EXPECT_EQ(UpgradeLevel(r, gold, 10, kNow + kDay), gold);
  // Requalifying ends a grace period and keeps the level's since.
  const LevelState graced{1, kNow, kNow + 30 * kDay};
  EXPECT_EQ(UpgradeLevel(r, graced, 1000, kNow + kDay), (LevelState{1, kNow, std::nullopt}));
  EXPECT_EQ(UpgradeLevel(r, graced, 3000, kNow + kDay), (LevelState{2, kNow + kDay, std::nullopt}));
}

TEST(LevelsTest, FallingShortStartsTheGraceAndLowersOneLevelAfterIt) {
  const v1::LevelRules r = Levels();
  const LevelState platinum{2, kNow - 400 * kDay, std::nullopt};
  const LevelState graced = EvaluateLevel(r, platinum, 500, kNow);
  EXPECT_EQ(graced, (LevelState{2, platinum.since, kNow + 30 * kDay}));
  // Within the grace: unchanged, to the second.
  EXPECT_EQ(EvaluateLevel(r, graced, 500, kNow + 30 * kDay - absl::Seconds(1)), graced);
  const LevelState lowered = EvaluateLevel(r, graced, 500, kNow + 30 * kDay);
  EXPECT_EQ(lowered, (LevelState{1, kNow + 30 * kDay, std::nullopt}));
  // Still short of gold: a new grace period, then silver.
  const LevelState again = EvaluateLevel(r, lowered, 500, kNow + 31 * kDay);
  EXPECT_EQ(again.grace_until, kNow + 61 * kDay);
  EXPECT_EQ(EvaluateLevel(r, again, 500, kNow + 61 * kDay).rank, 0);
}

TEST(LevelsTest, ToQualifiedDropsStraightToTheSupportedLevelAndNoGraceMeansAtOnce) {
  v1::LevelRules r = Levels(v1::LevelRules::DOWNGRADE_TO_QUALIFIED);
  const LevelState platinum{2, kNow - 400 * kDay, std::nullopt};
  const LevelState graced = EvaluateLevel(r, platinum, 500, kNow);
  EXPECT_EQ(EvaluateLevel(r, graced, 500, kNow + 30 * kDay).rank, 0);
  EXPECT_EQ(EvaluateLevel(r, graced, 1200, kNow + 30 * kDay).rank, 1);
  r.set_grace_days(0);
  EXPECT_EQ(EvaluateLevel(r, platinum, 1200, kNow), (LevelState{1, kNow, std::nullopt}));
}

TEST(LevelsTest, TheLevelMultipliesEarningWithTheCampaign) {
  const v1::LevelRules r = Levels();
  EXPECT_EQ(LevelMultiplier(r, 0), 100u);
  EXPECT_EQ(LevelMultiplier(r, 2), 200u);
  EXPECT_EQ(LevelMultiplier(r, 7), 200u);  // a rank the rules lost counts as the top
  EXPECT_EQ(LevelMultiplier(v1::LevelRules(), 3), 100u);
  v1::EarningRules earning;
  earning.set_points_per_currency_unit(1);
  v1::Campaign* doubled = earning.add_campaigns();
  doubled->set_name("double");
  ToProtoTimestamp(kNow - kDay, doubled->mutable_start_time());
  ToProtoTimestamp(kNow + kDay, doubled->mutable_end_time());
  doubled->set_multiplier_percent(200);
  v1::PurchaseLine line;
  line.set_sku("tea");
  line.set_amount_minor(1999);  // 19.99 x 2 x 1.5 = 59.97
  EXPECT_EQ(LinePoints(earning, line, 2, kNow, LevelMultiplier(r, 1)), 59);
}

TEST(LevelsTest, DescribingShowsTheProgressToTheNextLevel) {
  const v1::LevelRules r = Levels();
  v1::Member m;
  DescribeLevel(r, LevelState{1, kNow, std::nullopt}, 1200, m);
  EXPECT_EQ(m.level(), "gold");
  EXPECT_EQ(m.level_progress().qualified_level(), "gold");
  EXPECT_EQ(m.level_progress().next_level(), "platinum");
  EXPECT_EQ(m.level_progress().remaining(), 1800);
  v1::Member top;
  DescribeLevel(r, LevelState{2, kNow, kNow + kDay}, 10, top);
  EXPECT_EQ(top.level_progress().qualified_level(), "silver");
  EXPECT_EQ(top.level_progress().next_level(), "");
  EXPECT_TRUE(top.has_level_grace_until());
}

TEST(LevelsTest, BadLevelRulesNameTheirField) {
  auto field_of = [](v1::LevelRules r) { return MetadataOf(ValidateLevels(r, "levels"))["field"]; };
  v1::LevelRules r = Levels();
  r.mutable_levels(0)->set_threshold(5);
  EXPECT_EQ(field_of(r), "levels.levels[0].threshold");
  r = Levels();
  r.mutable_levels(2)->set_threshold(1000);
  EXPECT_EQ(field_of(r), "levels.levels[2].threshold");
  r = Levels();
  r.mutable_levels(1)->set_name("silver");
  EXPECT_EQ(field_of(r), "levels.levels[1].name");
  r = Levels();
  r.mutable_levels(1)->set_multiplier_percent(50);
  EXPECT_EQ(field_of(r), "levels.levels[1].multiplier_percent");
  r = Levels();
  r.set_window_months(37);
  EXPECT_EQ(field_of(r), "levels.window_months");
  r = Levels();
  r.set_grace_days(-1);
  EXPECT_EQ(field_of(r), "levels.grace_days");
  r = Levels();
  r.mutable_levels()->RemoveLast();
  r.mutable_levels()->RemoveLast();
  EXPECT_EQ(field_of(r), "levels.levels");
}

}  // namespace
}  // namespace crm::loyalty
