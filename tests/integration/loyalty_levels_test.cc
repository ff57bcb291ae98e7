// Membership levels and rules versions on a real MariaDB: upgrade at the
// qualifying purchase, the level multiplier, downgrade after the grace
// period by the evaluation run (safe to repeat), rules that change at their
// effective time, and members listed by level.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/integration/loyalty_fixture.h"
#include "tests/support/status_matchers.h"

namespace crm::loyalty {
namespace {

using Code = absl::StatusCode;
using testing::IsError;

const absl::Duration kDay = absl::Hours(24);

class LoyaltyLevelsTest : public LoyaltyServiceTest {
 protected:
  // 1 point per yuan; silver, gold from 1,000 yuan (x1.5), platinum from
  // 3,000 yuan (x2) of spend in 12 months; 30 days of grace; no pending days.
  std::string CreateLevelledProgram(
      v1::LevelRules::Downgrade downgrade = v1::LevelRules::DOWNGRADE_ONE_LEVEL) {
    v1::CreateProgramRequest r;
    v1::Program& p = *r.mutable_program();
    p.set_display_name("Levelled Club");
    p.set_currency_code("CNY");
    v1::ProgramRules& rules = *p.mutable_rules();
    rules.mutable_earning()->set_points_per_currency_unit(1);
    *rules.mutable_levels() = Levels(downgrade);
    auto created = service_.CreateProgram(r);
    EXPECT_TRUE(created.ok()) << Describe(created.status());
    return created.ok() ? created->program().program_id() : "";
  }

  static v1::LevelRules Levels(v1::LevelRules::Downgrade downgrade) {
    v1::LevelRules levels;
    levels.set_basis(v1::LevelRules::BASIS_QUALIFYING_SPEND);
    levels.set_grace_days(30);
    levels.set_downgrade(downgrade);
    for (const auto& [name, threshold, percent] :
         {std::tuple{"silver", 0, 100}, std::tuple{"gold", 100'000, 150},
          std::tuple{"platinum", 300'000, 200}}) {
      v1::Level* level = levels.add_levels();
      level->set_name(name);
      level->set_threshold(threshold);
      level->set_multiplier_percent(percent);
    }
    return levels;
  }

  v1::RecordPurchaseResponse Buy(const std::string& member_id, const std::string& txn,
                                 int64_t fen) {
    auto bought = service_.RecordPurchase(Purchase(member_id, txn, 0, fen));
    EXPECT_TRUE(bought.ok()) << Describe(bought.status());
    return bought.ok() ? *bought : v1::RecordPurchaseResponse();
  }

  v1::RunLevelEvaluationResponse Evaluate() {
    auto run = service_.RunLevelEvaluation(v1::RunLevelEvaluationRequest());
    EXPECT_TRUE(run.ok()) << Describe(run.status());
    return run.ok() ? *run : v1::RunLevelEvaluationResponse();
  }
};

TEST_F(LoyaltyLevelsTest, TheQualifyingPurchaseUpgradesAndLaterPurchasesEarnMore) {
  const std::string program = CreateLevelledProgram();
  const v1::Member member = Enroll(program);
  EXPECT_EQ(member.level(), "silver");
  const v1::Member after_first = Buy(member.member_id(), "t1", 60'000).member();
  EXPECT_EQ(after_first.level(), "silver");
  EXPECT_EQ(after_first.level_progress().qualifying_value(), 60'000);
  EXPECT_EQ(after_first.level_progress().next_level(), "gold");
  EXPECT_EQ(after_first.level_progress().remaining(), 40'000);

  clock_.Advance(absl::Minutes(1));
  const v1::RecordPurchaseResponse second = Buy(member.member_id(), "t2", 40'000);
  EXPECT_EQ(second.purchase().points_earned(), 400);  // earned at silver
  EXPECT_EQ(second.member().level(), "gold");
  EXPECT_EQ(FromProtoTimestamp(second.member().level_since()), clock_.Now());
  EXPECT_EQ(Buy(member.member_id(), "t3", 10'000).purchase().points_earned(), 150);
  const v1::Member got = Get(member.member_id());
  EXPECT_EQ(got.level(), "gold");
  EXPECT_EQ(got.level_progress().qualifying_value(), 110'000);
  EXPECT_EQ(got.level_progress().remaining(), 190'000);
}

TEST_F(LoyaltyLevelsTest, AMemberBelowItsLevelKeepsItThroughTheGraceThenDropsOneLevel) {
  const std::string program = CreateLevelledProgram();
  const v1::Member member = Enroll(program);
  Buy(member.member_id(), "t1", 300'000);
  ASSERT_EQ(Get(member.member_id()).level(), "platinum");
  const absl::Time bought = clock_.Now();
  EXPECT_EQ(Evaluate().members_evaluated(), 1);  // still qualifies

  // A return takes the spend below platinum: the run starts the grace period.
  clock_.Advance(kDay);
  ASSERT_TRUE(Return(member.member_id(), "t1", "r1", 150'000).ok());
  EXPECT_EQ(Get(member.member_id()).level(), "platinum");
  const v1::RunLevelEvaluationResponse graced = Evaluate();
  EXPECT_EQ(graced.grace_started(), 1);
  EXPECT_EQ(graced.downgraded(), 0);
  v1::Member m = Get(member.member_id());
  EXPECT_EQ(m.level(), "platinum");
  EXPECT_EQ(FromProtoTimestamp(m.level_grace_until()), clock_.Now() + 30 * kDay);
  // The same as_of again: nothing to do.
  v1::RunLevelEvaluationRequest again;
  ToProtoTimestamp(clock_.Now(), again.mutable_as_of());
  auto repeated = service_.RunLevelEvaluation(again);
  ASSERT_TRUE(repeated.ok());
  EXPECT_EQ(repeated->members_evaluated(), 0);

  clock_.Advance(30 * kDay - absl::Seconds(1));
  EXPECT_EQ(Evaluate().downgraded(), 0);
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(Evaluate().downgraded(), 1);
  m = Get(member.member_id());
  EXPECT_EQ(m.level(), "gold");  // one level down
  EXPECT_FALSE(m.has_level_grace_until());
  EXPECT_GT(FromProtoTimestamp(m.level_since()), bought);

  // A year later the spend left the window: gold is graced, then silver.
  clock_.Advance(365 * kDay);
  EXPECT_EQ(Evaluate().grace_started(), 1);
  clock_.Advance(30 * kDay);
  EXPECT_EQ(Evaluate().downgraded(), 1);
  EXPECT_EQ(Get(member.member_id()).level(), "silver");
  EXPECT_EQ(Evaluate().members_evaluated(), 0);  // the entry level is not evaluated
}

TEST_F(LoyaltyLevelsTest, ToQualifiedDropsToTheSupportedLevelAndRequalifyingEndsTheGrace) {
  const std::string program = CreateLevelledProgram(v1::LevelRules::DOWNGRADE_TO_QUALIFIED);
  const v1::Member dropping = Enroll(program);
  const v1::Member recovering = Enroll(program);
  Buy(dropping.member_id(), "d1", 300'000);
  Buy(recovering.member_id(), "r1", 300'000);
  clock_.Advance(kDay);
  ASSERT_TRUE(Return(dropping.member_id(), "d1", "d1-return", 0).ok());
  ASSERT_TRUE(Return(recovering.member_id(), "r1", "r1-return", 100'000).ok());
  EXPECT_EQ(Evaluate().grace_started(), 2);
  Buy(recovering.member_id(), "r2", 100'000);  // back at 300,000
  EXPECT_FALSE(Get(recovering.member_id()).has_level_grace_until());
  clock_.Advance(30 * kDay);
  EXPECT_EQ(Evaluate().downgraded(), 1);
  EXPECT_EQ(Get(dropping.member_id()).level(), "silver");
  EXPECT_EQ(Get(recovering.member_id()).level(), "platinum");
}

TEST_F(LoyaltyLevelsTest, ARulesVersionAppliesFromItsEffectiveTime) {
  const std::string program = CreateLevelledProgram();
  const v1::Member member = Enroll(program);
  v1::UpdateProgramRulesRequest update;
  update.set_request_id("rules-2");
  update.set_program_id(program);
  v1::ProgramRules& rules = *update.mutable_rules();
  rules.mutable_earning()->set_points_per_currency_unit(3);
  *rules.mutable_levels() = Levels(v1::LevelRules::DOWNGRADE_ONE_LEVEL);
  const absl::Time effective = clock_.Now() + absl::Hours(1);
  ToProtoTimestamp(effective, rules.mutable_effective_time());
  auto added = service_.UpdateProgramRules(update);
  ASSERT_TRUE(added.ok()) << Describe(added.status());
  EXPECT_EQ(added->rules().version(), 2);
  auto replay = service_.UpdateProgramRules(update);
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay->rules().version(), 2);

  EXPECT_EQ(Buy(member.member_id(), "before", 1'000).purchase().points_earned(), 10);
  v1::GetProgramRequest get;
  get.set_program_id(program);
  EXPECT_EQ(service_.GetProgram(get)->program().rules().version(), 1);
  clock_.Advance(absl::Hours(1));
  const v1::RecordPurchaseResponse after = Buy(member.member_id(), "after", 1'000);
  EXPECT_EQ(after.purchase().points_earned(), 30);
  EXPECT_EQ(after.purchase().rules_version(), 2);
  EXPECT_EQ(service_.GetProgram(get)->program().rules().version(), 2);
  // A purchase dated before the change still earns by version 1.
  v1::RecordPurchaseRequest late = Purchase(member.member_id(), "late", 0, 1'000);
  ToProtoTimestamp(effective - absl::Minutes(1), late.mutable_purchase()->mutable_purchase_time());
  auto recorded = service_.RecordPurchase(late);
  ASSERT_TRUE(recorded.ok());
  EXPECT_EQ(recorded->purchase().rules_version(), 1);
  EXPECT_EQ(recorded->purchase().points_earned(), 10);

  update.set_request_id("rules-3");
  ToProtoTimestamp(clock_.Now() - absl::Seconds(1), rules.mutable_effective_time());
  EXPECT_TRUE(IsError(service_.UpdateProgramRules(update).status(), Code::kInvalidArgument,
                      "INVALID_FIELD", "rules.effective_time"));
  rules.clear_effective_time();
  rules.mutable_levels()->mutable_levels(1)->set_threshold(0);
  EXPECT_TRUE(IsError(service_.UpdateProgramRules(update).status(), Code::kInvalidArgument,
                      "INVALID_FIELD", "rules.levels.levels[1].threshold"));
  update.set_program_id(ids_.Next());
  rules.mutable_levels()->mutable_levels(1)->set_threshold(100'000);
  EXPECT_TRUE(IsError(service_.UpdateProgramRules(update).status(), Code::kNotFound,
                      "PROGRAM_NOT_FOUND"));
}

TEST_F(LoyaltyLevelsTest, MembersAreListedByLevelPageByPage) {
  const std::string program = CreateLevelledProgram();
  std::vector<std::string> gold;
  for (int i = 0; i < 5; ++i) {
    const v1::Member m = Enroll(program);
    if (i % 2 == 0) {
      Buy(m.member_id(), absl::StrCat("t", i), 100'000);
      gold.push_back(m.member_id());
    }
  }
  v1::ListMembersRequest list;
  list.set_program_id(program);
  list.set_level("gold");
  list.set_page_size(2);
  std::vector<std::string> seen;
  for (;;) {
    auto page = service_.ListMembers(list);
    ASSERT_TRUE(page.ok()) << Describe(page.status());
    for (const v1::Member& m : page->members()) {
      EXPECT_EQ(m.level(), "gold");
      seen.push_back(m.member_id());
    }
    if (page->next_page_token().empty()) break;
    list.set_page_token(page->next_page_token());
  }
  EXPECT_EQ(seen, gold);
  list.set_level("");
  list.set_page_token("");
  list.set_page_size(100);
  EXPECT_EQ(service_.ListMembers(list)->members_size(), 5);
  list.set_level("diamond");
  EXPECT_TRUE(IsError(service_.ListMembers(list).status(), Code::kInvalidArgument,
                      "INVALID_FIELD", "level"));

  // A coupon for every gold member.
  v1::IssueCouponsRequest issue;
  issue.set_request_id("gold-thanks");
  issue.set_program_id(program);
  issue.set_level("gold");
  issue.mutable_coupon()->set_campaign("gold thanks");
  issue.mutable_coupon()->set_bonus_points(100);
  ToProtoTimestamp(clock_.Now(), issue.mutable_coupon()->mutable_start_time());
  ToProtoTimestamp(clock_.Now() + 30 * kDay, issue.mutable_coupon()->mutable_end_time());
  auto issued = service_.IssueCoupons(issue);
  ASSERT_TRUE(issued.ok()) << Describe(issued.status());
  EXPECT_EQ(issued->issued(), 3);
  for (const v1::Coupon& c : issued->coupons()) {
    EXPECT_NE(std::find(gold.begin(), gold.end(), c.member_id()), gold.end());
  }
  EXPECT_EQ(service_.IssueCoupons(issue)->issued(), 3);
}

TEST_F(LoyaltyLevelsTest, BirthdayBonusesComeOnceAYearOnTheDay) {
  v1::CreateProgramRequest create;
  create.mutable_program()->set_display_name("Birthday Club");
  create.mutable_program()->set_currency_code("CNY");
  create.mutable_program()->mutable_rules()->mutable_earning()->set_birthday_bonus(88);
  v1::CreateProgramRequest too_big = create;
  too_big.mutable_program()->mutable_rules()->mutable_earning()->set_birthday_bonus(2'000'000'000);
  EXPECT_TRUE(IsError(service_.CreateProgram(too_big).status(), Code::kInvalidArgument,
                      "INVALID_FIELD", "program.rules.earning.birthday_bonus"));
  auto program = service_.CreateProgram(create);
  ASSERT_TRUE(program.ok()) << Describe(program.status());
  auto enroll = [&](int month, int day) -> absl::StatusOr<v1::EnrollMemberResponse> {
    v1::EnrollMemberRequest r;
    r.set_program_id(program->program().program_id());
    r.set_customer_id(ids_.Next());
    r.set_birth_month(month);
    r.set_birth_day(day);
    return service_.EnrollMember(r);
  };
  const std::string today = enroll(3, 1)->member().member_id();      // the clock's day
  const std::string leap = enroll(2, 29)->member().member_id();
  const std::string other = enroll(7, 14)->member().member_id();
  EXPECT_TRUE(IsError(enroll(2, 30).status(), Code::kInvalidArgument, "INVALID_FIELD",
                      "birth_day"));
  EXPECT_TRUE(IsError(enroll(13, 1).status(), Code::kInvalidArgument, "INVALID_FIELD",
                      "birth_day"));
  EXPECT_TRUE(IsError(enroll(5, 0).status(), Code::kInvalidArgument, "INVALID_FIELD",
                      "birth_day"));

  // 2027-03-01 12:00 UTC.
  clock_.Set(absl::FromCivil(absl::CivilSecond(2027, 3, 1, 12, 0, 0), absl::UTCTimeZone()));
  auto run = service_.RunBirthdayBonuses(v1::RunBirthdayBonusesRequest());
  ASSERT_TRUE(run.ok()) << Describe(run.status());
  EXPECT_EQ(run->members(), 1);
  EXPECT_EQ(run->points(), 88);
  EXPECT_EQ(Get(today).available_points(), 88);
  EXPECT_EQ(Get(today).birth_month(), 3);
  EXPECT_EQ(service_.RunBirthdayBonuses(v1::RunBirthdayBonusesRequest())->members(), 0);
  // 2027 is no leap year: 29 February birthdays are on the 28th.
  v1::RunBirthdayBonusesRequest feb28;
  ToProtoTimestamp(absl::FromCivil(absl::CivilSecond(2027, 2, 28, 9, 0, 0), absl::UTCTimeZone()),
                   feb28.mutable_as_of());
  EXPECT_EQ(service_.RunBirthdayBonuses(feb28)->members(), 1);
  EXPECT_EQ(Get(leap).available_points(), 88);
  EXPECT_EQ(Get(other).available_points(), 0);
  v1::RunBirthdayBonusesRequest future;
  ToProtoTimestamp(clock_.Now() + absl::Hours(1), future.mutable_as_of());
  EXPECT_TRUE(IsError(service_.RunBirthdayBonuses(future).status(), Code::kInvalidArgument,
                      "INVALID_FIELD", "as_of"));
}

}  // namespace
}  // namespace crm::loyalty
