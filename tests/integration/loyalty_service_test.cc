// The loyalty service's points ledger on a real MariaDB: earning, pending
// points, replays, adjustments, concurrency and bad input (the fixture checks
// the ledger invariants after each test).
#include "services/loyalty/loyalty_service.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/sql_util.h"
#include "gtest/gtest.h"
#include "crm/loyalty/v1/events.pb.h"
#include "services/loyalty/earning.h"
#include "services/loyalty/mysql_loyalty_store.h"
#include "tests/integration/loyalty_fixture.h"
#include "tests/support/status_matchers.h"

namespace crm::loyalty {
namespace {

using Code = absl::StatusCode;
using testing::IsError;

TEST_F(LoyaltyServiceTest, EnrollmentGrantsTheBonusOnce) {
  const std::string program = CreateProgram();
  v1::EnrollMemberRequest r;
  r.set_program_id(program);
  r.set_customer_id(ids_.Next());
  auto enrolled = service_.EnrollMember(r);
  ASSERT_TRUE(enrolled.ok()) << Describe(enrolled.status());
  EXPECT_EQ(enrolled->member().available_points(), 100);
  EXPECT_EQ(enrolled->member().balance(), 100);
  ASSERT_EQ(enrolled->member().expiring_size(), 1);
  EXPECT_EQ(FromProtoTimestamp(enrolled->member().expiring(0).expire_time()),
            absl::FromUnixSeconds(1'800'000'000 + 365 * 86400));  // 12 months from 2027-01-15
  EXPECT_TRUE(IsError(service_.EnrollMember(r).status(), Code::kAlreadyExists, "ALREADY_ENROLLED"));
  r.set_program_id(ids_.Next());
  EXPECT_TRUE(IsError(service_.EnrollMember(r).status(), Code::kNotFound, "PROGRAM_NOT_FOUND"));
}

TEST_F(LoyaltyServiceTest, ConcurrentEnrollmentsOfOneCustomerNameTheOneMember) {
  const std::string program = CreateProgram();
  v1::EnrollMemberRequest r;
  r.set_program_id(program);
  r.set_customer_id(ids_.Next());
  std::vector<absl::StatusOr<v1::EnrollMemberResponse>> results(8);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] { results[i] = service_.EnrollMember(r); });
  }
  for (std::thread& t : threads) t.join();
  std::string winner;
  for (const auto& result : results) {
    if (result.ok()) winner = result->member().member_id();
  }
  ASSERT_FALSE(winner.empty());
  for (const auto& result : results) {
    if (result.ok()) continue;
    EXPECT_TRUE(IsError(result.status(), Code::kAlreadyExists, "ALREADY_ENROLLED"));
    EXPECT_EQ(MetadataOf(result.status())["member_id"], winner);
  }
  EXPECT_EQ(db_.Query("SELECT COUNT(*) FROM ledger_entries"), "1");  // one bonus
}

TEST_F(LoyaltyServiceTest, APurchaseEarnsPendingPointsThatBecomeSpendable) {
  const v1::Member m = Enroll(CreateProgram());
  // 30.00 of fresh food (60 points) and 19.99 of soap (19 points).
  auto bought = service_.RecordPurchase(Purchase(m.member_id(), "pos-17-0001", 3000, 1999));
  ASSERT_TRUE(bought.ok()) << Describe(bought.status());
  EXPECT_EQ(bought->purchase().total_minor(), 4999);
  EXPECT_EQ(bought->purchase().points_earned(), 79 + 50);  // with the first purchase bonus
  EXPECT_EQ(bought->purchase().rules_version(), 1);
  EXPECT_FALSE(bought->replayed());
  EXPECT_EQ(bought->member().pending_points(), 129);
  EXPECT_EQ(bought->member().available_points(), 100);
  EXPECT_EQ(bought->member().balance(), 229);
  EXPECT_EQ(bought->member().lifetime_earned(), 229);
  EXPECT_EQ(bought->member().purchase_count(), 1);

  // Pending points cannot be spent; one second before the window ends they
  // are still pending, at its end they are available.
  EXPECT_TRUE(IsError(Adjust(m.member_id(), -101, "spend-1").status(), Code::kFailedPrecondition,
                      "INSUFFICIENT_POINTS"));
  clock_.Advance(absl::Hours(24 * 7) - absl::Seconds(1));
  EXPECT_EQ(Get(m.member_id()).pending_points(), 129);
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(Get(m.member_id()).available_points(), 229);
  EXPECT_EQ(Get(m.member_id()).pending_points(), 0);

  // A second purchase earns no first-purchase bonus.
  auto second = service_.RecordPurchase(Purchase(m.member_id(), "pos-17-0002", 0, 1000));
  ASSERT_TRUE(second.ok()) << Describe(second.status());
  EXPECT_EQ(second->purchase().points_earned(), 10);
}

TEST_F(LoyaltyServiceTest, AReplayReturnsTheFirstResultAndADifferentPurchaseIsRefused) {
  const v1::Member m = Enroll(CreateProgram());
  v1::RecordPurchaseRequest r = Purchase(m.member_id(), "pos-17-0001", 3000, 0);
  r.mutable_purchase()->clear_purchase_time();  // the service's clock decides
  auto first = service_.RecordPurchase(r);
  ASSERT_TRUE(first.ok()) << Describe(first.status());
  clock_.Advance(absl::Minutes(3));
  auto replay = service_.RecordPurchase(r);
  ASSERT_TRUE(replay.ok()) << Describe(replay.status());
  EXPECT_TRUE(replay->replayed());
  EXPECT_EQ(replay->purchase().purchase_id(), first->purchase().purchase_id());
  EXPECT_EQ(replay->purchase().points_earned(), first->purchase().points_earned());
  EXPECT_EQ(replay->member().balance(), first->member().balance());
  EXPECT_EQ(db_.Count("purchases"), 1);

  r.mutable_purchase()->mutable_lines(0)->set_amount_minor(3001);
  EXPECT_TRUE(IsError(service_.RecordPurchase(r).status(), Code::kAlreadyExists,
                      "TRANSACTION_ID_REUSED"));
  EXPECT_EQ(db_.Count("ledger_entries"), 3);  // enrollment, earn, first purchase bonus
}

TEST_F(LoyaltyServiceTest, PartialReturnsTakeBackPendingPointsInProportion) {
  const v1::Member m = Enroll(CreateProgram());
  // 49.99 earns 79 points (plus the 50-point first purchase bonus, kept).
  ASSERT_TRUE(service_.RecordPurchase(Purchase(m.member_id(), "pos-1", 3000, 1999)).ok());
  auto half = Return(m.member_id(), "pos-1", "ret-1", 2500);
  ASSERT_TRUE(half.ok()) << Describe(half.status());
  EXPECT_EQ(half->points_reversed(), 39);  // floor(79 x 2500 / 4999)
  EXPECT_EQ(half->points_not_reversed(), 0);
  EXPECT_EQ(half->member().pending_points(), 129 - 39);
  auto replay = Return(m.member_id(), "pos-1", "ret-1", 2500);
  ASSERT_TRUE(replay.ok()) << Describe(replay.status());
  EXPECT_TRUE(replay->replayed());
  EXPECT_EQ(replay->points_reversed(), 39);
  EXPECT_EQ(replay->member().balance(), half->member().balance());
  EXPECT_TRUE(IsError(Return(m.member_id(), "pos-1", "ret-1", 100).status(), Code::kAlreadyExists,
                      "RETURN_ID_REUSED"));
  auto rest = Return(m.member_id(), "pos-1", "ret-2", 0);
  ASSERT_TRUE(rest.ok()) << Describe(rest.status());
  EXPECT_EQ(rest->points_reversed(), 40);  // all 79 back in total, never more
  EXPECT_EQ(rest->member().balance(), 100 + 50);
  EXPECT_TRUE(IsError(Return(m.member_id(), "pos-1", "ret-3", 1).status(),
                      Code::kFailedPrecondition, "RETURN_EXCEEDS_PURCHASE"));
  EXPECT_TRUE(IsError(Return(m.member_id(), "pos-1", "ret-5", 0).status(),
                      Code::kFailedPrecondition, "RETURN_EXCEEDS_PURCHASE"));  // nothing left
  EXPECT_TRUE(IsError(Return(m.member_id(), "pos-9", "ret-4", 0).status(), Code::kNotFound,
                      "PURCHASE_NOT_FOUND"));
  EXPECT_TRUE(IsError(Return(m.member_id(), "pos-1", "", 0).status(), Code::kInvalidArgument,
                      "INVALID_FIELD", "source_return_id"));
  EXPECT_TRUE(IsError(Return(m.member_id(), "pos-1", "ret-6", -1).status(),
                      Code::kInvalidArgument, "INVALID_FIELD", "amount_minor"));
  EXPECT_EQ(db_.Count("purchase_returns"), 2);
}

TEST_F(LoyaltyServiceTest, AfterTheReturnWindowPendingOnlyKeepsThePoints) {
  const v1::Member m = Enroll(CreateProgram());
  ASSERT_TRUE(service_.RecordPurchase(Purchase(m.member_id(), "pos-1", 3000, 1999)).ok());
  clock_.Advance(absl::Hours(24 * 7));
  auto late = Return(m.member_id(), "pos-1", "ret-1", 0);
  ASSERT_TRUE(late.ok()) << Describe(late.status());
  EXPECT_EQ(late->points_reversed(), 0);
  EXPECT_EQ(late->points_not_reversed(), 79);
  EXPECT_EQ(late->member().available_points(), 229);
}

TEST_F(LoyaltyServiceTest, WithinBalanceTakesOtherPointsButNeverGoesBelowZero) {
  const v1::Member m =
      Enroll(CreateProgram(0, v1::RETURN_POLICY_REVERSE_WITHIN_BALANCE));  // 100 points
  ASSERT_TRUE(service_.RecordPurchase(Purchase(m.member_id(), "pos-1", 3000, 1999)).ok());  // +129
  clock_.Advance(absl::Hours(24 * 8));
  ASSERT_TRUE(Adjust(m.member_id(), -200, "spend-1").ok());  // leaves 29 of the bonus
  auto back = Return(m.member_id(), "pos-1", "ret-1", 0);
  ASSERT_TRUE(back.ok()) << Describe(back.status());
  EXPECT_EQ(back->points_reversed(), 29);
  EXPECT_EQ(back->points_not_reversed(), 50);
  EXPECT_EQ(back->member().balance(), 0);
}

TEST_F(LoyaltyServiceTest, AllowNegativeTakesEverythingAndTheNextPointsPayTheDebt) {
  const v1::Member m = Enroll(CreateProgram(0, v1::RETURN_POLICY_ALLOW_NEGATIVE));  // 100
  ASSERT_TRUE(service_.RecordPurchase(Purchase(m.member_id(), "pos-1", 3000, 1999)).ok());  // +129
  clock_.Advance(absl::Hours(24 * 8));
  ASSERT_TRUE(Adjust(m.member_id(), -200, "spend-1").ok());  // leaves 29
  auto back = Return(m.member_id(), "pos-1", "ret-1", 0);
  ASSERT_TRUE(back.ok()) << Describe(back.status());
  EXPECT_EQ(back->points_reversed(), 79);
  EXPECT_EQ(back->points_not_reversed(), 0);
  EXPECT_EQ(back->member().balance(), -50);
  EXPECT_EQ(back->member().debt_points(), 50);
  EXPECT_EQ(back->member().available_points(), -50);
  EXPECT_TRUE(IsError(Adjust(m.member_id(), -1, "spend-2").status(), Code::kFailedPrecondition,
                      "INSUFFICIENT_POINTS"));
  // 40 pending points from the next purchase pay 40 of the debt at once.
  auto next = service_.RecordPurchase(Purchase(m.member_id(), "pos-2", 2000, 0));
  ASSERT_TRUE(next.ok()) << Describe(next.status());
  EXPECT_EQ(next->member().debt_points(), 10);
  EXPECT_EQ(next->member().balance(), -10);
  EXPECT_EQ(next->member().pending_points(), 0);
  auto paid = Adjust(m.member_id(), 30, "goodwill-1");
  ASSERT_TRUE(paid.ok());
  EXPECT_EQ(paid->member().debt_points(), 0);
  EXPECT_EQ(paid->member().balance(), 20);
  EXPECT_EQ(paid->member().available_points(), 20);
}

TEST_F(LoyaltyServiceTest, TheDailyCapLimitsEarningAcrossPurchases) {
  const v1::Member m = Enroll(CreateProgram(/*max_per_day=*/100));
  int64_t earned = 0;
  for (int i = 0; i < 3; ++i) {
    auto bought = service_.RecordPurchase(
        Purchase(m.member_id(), absl::StrCat("pos-", i), 0, 4000));  // 40 points each
    ASSERT_TRUE(bought.ok()) << Describe(bought.status());
    earned += bought->purchase().points_earned();
  }
  EXPECT_EQ(earned, 100 + 50);  // 40 + 40 + 20, plus the first purchase bonus
  clock_.Advance(absl::Hours(24));
  auto next_day = service_.RecordPurchase(Purchase(m.member_id(), "pos-next", 0, 4000));
  ASSERT_TRUE(next_day.ok()) << Describe(next_day.status());
  EXPECT_EQ(next_day->purchase().points_earned(), 40);
}

TEST_F(LoyaltyServiceTest, AdjustmentsApplyOnceAndSpendTheEarliestExpiringPointsFirst) {
  const v1::Member m = Enroll(CreateProgram());  // 100 points expiring in 12 months
  clock_.Advance(absl::Hours(24 * 30));
  auto added = Adjust(m.member_id(), 40, "comp-1");  // expiring in 13 months from enrollment
  ASSERT_TRUE(added.ok()) << Describe(added.status());
  EXPECT_EQ(added->member().available_points(), 140);
  auto again = Adjust(m.member_id(), 40, "comp-1");
  ASSERT_TRUE(again.ok()) << Describe(again.status());
  EXPECT_EQ(again->entry().entry_id(), added->entry().entry_id());
  EXPECT_EQ(Get(m.member_id()).balance(), 140);

  auto spent = Adjust(m.member_id(), -120, "spend-1");
  ASSERT_TRUE(spent.ok()) << Describe(spent.status());
  EXPECT_EQ(spent->member().available_points(), 20);
  // The enrollment lot (earliest expiry) is used up; 20 of the later one remain.
  ASSERT_EQ(spent->member().expiring_size(), 1);
  EXPECT_EQ(spent->member().expiring(0).points(), 20);
  EXPECT_EQ(FromProtoTimestamp(spent->member().expiring(0).expire_time()),
            FromProtoTimestamp(added->entry().expire_time()));
  EXPECT_TRUE(IsError(Adjust(m.member_id(), -21, "spend-2").status(), Code::kFailedPrecondition,
                      "INSUFFICIENT_POINTS"));
  EXPECT_TRUE(IsError(Adjust(m.member_id(), 5, "comp-1").status(), Code::kFailedPrecondition,
                      "IDEMPOTENCY_KEY_REUSED"));
}

TEST_F(LoyaltyServiceTest, ConcurrentSpendingNeverOverspends) {
  const v1::Member m = Enroll(CreateProgram());  // 100 points
  std::atomic<int> succeeded{0}, refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] {
      auto spent = Adjust(m.member_id(), -10, absl::StrCat("spend-", i));
      if (spent.ok()) {
        ++succeeded;
      } else if (ReasonOf(spent.status()) == "INSUFFICIENT_POINTS") {
        ++refused;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(succeeded.load(), 10);
  EXPECT_EQ(refused.load(), 6);
  EXPECT_EQ(Get(m.member_id()).balance(), 0);
}

TEST_F(LoyaltyServiceTest, PointsExpireAtTheirSecondExactlyOnce) {
  const v1::Member m = Enroll(CreateProgram());  // 100 points, expiring in 12 months
  const absl::Time enrolled = clock_.Now();
  clock_.Advance(absl::Hours(24));
  ASSERT_TRUE(service_.RecordPurchase(Purchase(m.member_id(), "pos-1", 3000, 1999)).ok());  // 129
  auto run = [&] {
    auto done = service_.RunExpiry(v1::RunExpiryRequest());
    EXPECT_TRUE(done.ok()) << Describe(done.status());
    return done.ok() ? *done : v1::RunExpiryResponse();
  };
  const absl::Time year_later = enrolled + absl::Hours(24 * 365);  // 2027-01-15 + 12 months
  clock_.Advance(year_later - clock_.Now() - absl::Seconds(1));
  EXPECT_EQ(run().points_expired(), 0);
  EXPECT_EQ(Get(m.member_id()).available_points(), 229);
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(Get(m.member_id()).available_points(), 129);  // excluded at its second...
  EXPECT_EQ(Get(m.member_id()).balance(), 229);           // ...written off by the run
  const v1::RunExpiryResponse first = run();
  EXPECT_EQ(first.members(), 1);
  EXPECT_EQ(first.points_expired(), 100);
  EXPECT_EQ(Get(m.member_id()).balance(), 129);
  EXPECT_EQ(run().points_expired(), 0);  // a second run finds nothing

  // Two replicas at once: the purchase's points expire once.
  clock_.Advance(absl::Hours(24));
  std::atomic<int64_t> expired{0};
  std::vector<std::thread> runs;
  for (int i = 0; i < 2; ++i) runs.emplace_back([&] { expired += run().points_expired(); });
  for (auto& t : runs) t.join();
  EXPECT_EQ(expired.load(), 129);
  EXPECT_EQ(Get(m.member_id()).balance(), 0);
  EXPECT_EQ(db_.Count("ledger_entries", "kind = 5"), 2);

  v1::RunExpiryRequest future;
  ToProtoTimestamp(clock_.Now() + absl::Seconds(1), future.mutable_as_of());
  EXPECT_TRUE(IsError(service_.RunExpiry(future).status(), Code::kInvalidArgument,
                      "INVALID_FIELD", "as_of"));
}

TEST_F(LoyaltyServiceTest, TheLiabilityReportSplitsWhatIsOwedAndWhatBroke) {
  const std::string program = CreateProgram();
  const std::string a = Enroll(program).member_id();  // 100 points each, spendable
  Enroll(program);
  ASSERT_TRUE(service_.RecordPurchase(Purchase(a, "t1", 0, 10000)).ok());  // 100 + 50 pending
  const absl::Time start = clock_.Now();
  v1::GetPointsLiabilityRequest r;
  r.set_program_id(program);
  auto now = service_.GetPointsLiability(r);
  ASSERT_TRUE(now.ok()) << Describe(now.status());
  EXPECT_EQ(now->liability().members(), 2);
  EXPECT_EQ(now->liability().outstanding_points(), 200);
  EXPECT_EQ(now->liability().pending_points(), 150);
  ASSERT_EQ(now->liability().expiring_by_month_size(), 12);
  EXPECT_EQ(now->liability().later_or_never_points(), 350);  // the 12th month ahead

  clock_.Set(start + absl::Hours(24 * 180));
  auto half = service_.GetPointsLiability(r);
  ASSERT_TRUE(half.ok());
  EXPECT_EQ(half->liability().outstanding_points(), 350);
  const std::string due_month = absl::FormatTime("%Y-%m", AddMonths(start, 12), absl::UTCTimeZone());
  int64_t in_due_month = 0;
  for (const v1::MonthlyExpiry& m : half->liability().expiring_by_month()) {
    if (m.month() == due_month) in_due_month = m.points();
  }
  EXPECT_EQ(in_due_month, 350);

  clock_.Set(AddMonths(start, 12) + absl::Seconds(1));
  auto lapsed = service_.GetPointsLiability(r);
  ASSERT_TRUE(lapsed.ok());
  EXPECT_EQ(lapsed->liability().outstanding_points(), 0);
  EXPECT_EQ(lapsed->liability().lapsed_unswept_points(), 350);
  ASSERT_TRUE(service_.RunExpiry(v1::RunExpiryRequest()).ok());
  auto swept = service_.GetPointsLiability(r);
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(swept->liability().lapsed_unswept_points(), 0);
  EXPECT_EQ(swept->liability().earned_points(), 350);
  EXPECT_EQ(swept->liability().expired_points(), 350);
  EXPECT_DOUBLE_EQ(swept->liability().breakage_rate(), 1.0);
  r.set_program_id(ids_.Next());
  EXPECT_TRUE(IsError(service_.GetPointsLiability(r).status(), Code::kNotFound,
                      "PROGRAM_NOT_FOUND"));
}

TEST_F(LoyaltyServiceTest, PurchasesAndReturnsGoToTheChangeFeedOnce) {
  const v1::Member m = Enroll(CreateProgram());
  auto bought = service_.RecordPurchase(Purchase(m.member_id(), "pos-1", 3000, 1000));
  ASSERT_TRUE(bought.ok());
  ASSERT_TRUE(service_.RecordPurchase(Purchase(m.member_id(), "pos-1", 3000, 1000)).ok());
  ASSERT_TRUE(Return(m.member_id(), "pos-1", "ret-1", 1000).ok());
  ASSERT_TRUE(Return(m.member_id(), "pos-1", "ret-1", 1000).ok());  // a replay
  // The enrollment and first-purchase bonuses are PointsChanged events.
  EXPECT_EQ(db_.Query("SELECT GROUP_CONCAT(event_type ORDER BY seq) FROM outbox_events "
                      "WHERE event_type LIKE 'crm.loyalty.v1.Purchase%'"),
            "crm.loyalty.v1.PurchaseRecorded,crm.loyalty.v1.PurchaseReturned");
  EXPECT_EQ(db_.Query("SELECT COUNT(DISTINCT aggregate_id) FROM outbox_events"), "1");
  v1::PurchaseRecorded event;
  ASSERT_TRUE(event.ParseFromString(
      db_.Query("SELECT payload FROM outbox_events WHERE event_type = "
                "'crm.loyalty.v1.PurchaseRecorded' ORDER BY seq LIMIT 1")));
  EXPECT_EQ(event.purchase().purchase_id(), bought->purchase().purchase_id());
  EXPECT_EQ(event.customer_id(), m.customer_id());
  EXPECT_EQ(event.balance(), bought->member().balance());
}

TEST_F(LoyaltyServiceTest, TheLedgerPagesNewestFirst) {
  const v1::Member m = Enroll(CreateProgram());
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(Adjust(m.member_id(), i + 1, absl::StrCat("a", i)).ok());
  v1::ListLedgerEntriesRequest r;
  r.set_member_id(m.member_id());
  r.set_page_size(3);
  auto page = service_.ListLedgerEntries(r);
  ASSERT_TRUE(page.ok()) << Describe(page.status());
  ASSERT_EQ(page->entries_size(), 3);
  EXPECT_EQ(page->entries(0).points(), 4);
  EXPECT_EQ(page->entries(0).kind(), v1::LedgerEntry::KIND_ADJUST);
  EXPECT_EQ(page->entries(0).reason(), "complaint compensation");
  r.set_page_token(page->next_page_token());
  auto rest = service_.ListLedgerEntries(r);
  ASSERT_TRUE(rest.ok()) << Describe(rest.status());
  ASSERT_EQ(rest->entries_size(), 2);
  EXPECT_EQ(rest->entries(1).kind(), v1::LedgerEntry::KIND_BONUS);
  EXPECT_EQ(rest->next_page_token(), "");
}

TEST_F(LoyaltyServiceTest, BadInputIsRefusedAndWritesNothing) {
  const v1::Member m = Enroll(CreateProgram());
  v1::RecordPurchaseRequest r = Purchase(m.member_id(), "pos-1", 100, 0);
  r.mutable_purchase()->mutable_lines(0)->set_amount_minor(-100);
  EXPECT_TRUE(IsError(service_.RecordPurchase(r).status(), Code::kInvalidArgument,
                      "INVALID_FIELD", "purchase.lines[0].amount_minor"));
  r = Purchase(m.member_id(), "", 100, 0);
  EXPECT_TRUE(IsError(service_.RecordPurchase(r).status(), Code::kInvalidArgument,
                      "INVALID_FIELD", "purchase.source_transaction_id"));
  r = Purchase(m.member_id(), "pos-1", 100, 0);
  r.mutable_purchase()->clear_lines();
  EXPECT_TRUE(IsError(service_.RecordPurchase(r).status(), Code::kInvalidArgument,
                      "INVALID_FIELD", "purchase.lines"));
  r = Purchase(m.member_id(), "pos-1", 100, 0);
  ToProtoTimestamp(clock_.Now() + absl::Hours(1), r.mutable_purchase()->mutable_purchase_time());
  EXPECT_TRUE(IsError(service_.RecordPurchase(r).status(), Code::kInvalidArgument,
                      "INVALID_FIELD", "purchase.purchase_time"));
  EXPECT_TRUE(IsError(service_.RecordPurchase(Purchase(ids_.Next(), "pos-1", 100, 0)).status(),
                      Code::kNotFound, "MEMBER_NOT_FOUND"));
  EXPECT_TRUE(IsError(Adjust(m.member_id(), 0, "zero").status(), Code::kInvalidArgument,
                      "INVALID_FIELD", "points"));
  EXPECT_TRUE(IsError(Adjust(m.member_id(), 5, "").status(), Code::kInvalidArgument,
                      "INVALID_FIELD", "request_id"));
  EXPECT_TRUE(IsError(Adjust(ids_.Next(), 5, "x").status(), Code::kNotFound, "MEMBER_NOT_FOUND"));
  EXPECT_EQ(db_.Count("purchases"), 0);
  EXPECT_EQ(db_.Count("ledger_entries"), 1);  // the enrollment bonus
}

}  // namespace
}  // namespace crm::loyalty
