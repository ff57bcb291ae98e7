// Segment follows loyalty's change feed into its own aggregates and
// recomputes customer values from them: both binaries, real gRPC.
#include <csignal>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "cppconn/statement.h"
#include "crm/identify/v1/identify.grpc.pb.h"
#include "crm/loyalty/v1/loyalty.grpc.pb.h"
#include "crm/segment/v1/segment.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/contract/loyalty_setup.h"
#include "tests/contract/rpc_expectations.h"
#include "tests/contract/service_process.h"

namespace crm {
namespace {

using testing::Context;
using testing::ExpectError;
using testing::ServiceProcess;
using testing::WaitForHealth;

TEST(SegmentContractTest, ValuesFollowLoyaltysPurchasesExactlyOnce) {
  ServiceProcess loyalty("loyalty", true, {"--identify_target=127.0.0.1:1"});
  ASSERT_TRUE(WaitForHealth(loyalty.channel().get(), "SERVING", absl::Seconds(20)));
  auto points = loyalty::v1::LoyaltyService::NewStub(loyalty.channel());
  loyalty::v1::CreateProgramRequest program;
  program.mutable_program()->set_display_name("Club");
  program.mutable_program()->set_currency_code("CNY");
  program.mutable_program()->set_points_per_currency_unit(1);
  loyalty::v1::CreateProgramResponse created;
  ASSERT_TRUE(points->CreateProgram(Context().get(), program, &created).ok());
  // 12 members; member i buys i+1 times, 10.00 each.
  std::vector<std::string> customers;
  auto buy = [&](int member, const std::string& member_id, int k) {
    loyalty::v1::RecordPurchaseRequest r;
    r.mutable_purchase()->set_member_id(member_id);
    r.mutable_purchase()->set_source_transaction_id(absl::StrCat("t-", member, "-", k));
    auto* line = r.mutable_purchase()->add_lines();
    line->set_sku("tea");
    line->set_quantity(1);
    line->set_amount_minor(1000);
    loyalty::v1::RecordPurchaseResponse done;
    const grpc::Status s = points->RecordPurchase(Context().get(), r, &done);
    ASSERT_TRUE(s.ok()) << s.error_message();
  };
  std::vector<std::string> members;
  for (int i = 0; i < 12; ++i) {
    loyalty::v1::EnrollMemberRequest enroll;
    enroll.set_program_id(created.program().program_id());
    enroll.set_customer_id(absl::StrCat("01J0000000000000000000C0", i < 10 ? "0" : "", i));
    loyalty::v1::EnrollMemberResponse enrolled;
    ASSERT_TRUE(points->EnrollMember(Context().get(), enroll, &enrolled).ok());
    customers.push_back(enroll.customer_id());
    members.push_back(enrolled.member().member_id());
  }
  for (int i = 0; i < 6; ++i) {  // half before segment starts: it catches up
    for (int k = 0; k <= i; ++k) buy(i, members[i], k);
  }
  const std::vector<std::string> follow_loyalty = {"--loyalty_target=" + loyalty.address(),
                                                   "--complaints_target=", "--identify_target="};
  ServiceProcess segment("segment", true, follow_loyalty);
  ASSERT_TRUE(WaitForHealth(segment.channel().get(), "SERVING", absl::Seconds(20)));
  for (int i = 6; i < 12; ++i) {
    for (int k = 0; k <= i; ++k) buy(i, members[i], k);
  }
  // 78 purchases in all; wait until the aggregates hold them.
  const absl::Time give_up = absl::Now() + absl::Seconds(20);
  while (absl::Now() < give_up &&
         segment.db().Query("SELECT COALESCE(SUM(purchases), 0) FROM customer_purchase_days") !=
             "78") {
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(segment.db().Query("SELECT SUM(purchases) FROM customer_purchase_days"), "78");
  EXPECT_EQ(segment.db().Query("SELECT SUM(cents) FROM customer_purchase_days"), "78000");

  // Stopped, the checkpoint stays where the last batch left it.
  segment.process().Signal(SIGTERM);
  ASSERT_TRUE(segment.process().Wait(absl::Seconds(20)).has_value());
  const std::string checkpoint =
      segment.db().Query("SELECT last_seq FROM feed_checkpoints WHERE source = 'loyalty'");
  EXPECT_NE(checkpoint, "0");

  // A second segment on a schema of its own follows the feed from the start.
  ServiceProcess again("segment", true, follow_loyalty);
  ASSERT_TRUE(WaitForHealth(again.channel().get(), "SERVING", absl::Seconds(20)));
  auto values = segment::v1::SegmentService::NewStub(again.channel());
  const absl::Time caught_up = absl::Now() + absl::Seconds(20);
  while (absl::Now() < caught_up &&
         again.db().Query("SELECT COALESCE(SUM(purchases), 0) FROM customer_purchase_days") !=
             "78") {
    absl::SleepFor(absl::Milliseconds(100));
  }
  segment::v1::StartRecomputeRequest start;
  segment::v1::StartRecomputeResponse started;
  ASSERT_TRUE(values->StartRecompute(Context().get(), start, &started).ok());
  segment::v1::GetRecomputeJobRequest poll;
  poll.set_job_id(started.job().job_id());
  segment::v1::GetRecomputeJobResponse job;
  const absl::Time done_by = absl::Now() + absl::Seconds(20);
  do {
    absl::SleepFor(absl::Milliseconds(100));
    ASSERT_TRUE(values->GetRecomputeJob(Context().get(), poll, &job).ok());
  } while (job.job().state() == segment::v1::RecomputeJob::STATE_RUNNING && absl::Now() < done_by);
  ASSERT_EQ(job.job().state(), segment::v1::RecomputeJob::STATE_SUCCEEDED) << job.job().error();
  EXPECT_EQ(job.job().customers_total(), 12);
  EXPECT_EQ(job.job().customers_written(), 12);
  ASSERT_GT(job.job().pyramid_size(), 0);

  segment::v1::GetCustomerValueRequest ask;
  ask.set_customer_id(customers[11]);
  segment::v1::GetCustomerValueResponse value;
  ASSERT_TRUE(values->GetCustomerValue(Context().get(), ask, &value).ok());
  EXPECT_EQ(value.value().frequency(), 12);
  EXPECT_EQ(value.value().monetary_minor(), 12000);
  EXPECT_EQ(value.value().f(), 5);
  EXPECT_EQ(value.value().m(), 5);
  EXPECT_EQ(value.value().job_id(), started.job().job_id());
  ask.set_customer_id("01J00000000000000000000ZZZ");
  ExpectError(values->GetCustomerValue(Context().get(), ask, &value), grpc::StatusCode::NOT_FOUND,
              "VALUE_NOT_COMPUTED", "segment.crm");
}

// Segment's aggregates follow identify's merge (the merged customer's
// purchases and complaints count for the survivor) and are split back
// exactly on unmerge, keeping what the survivor gained meanwhile.
TEST(SegmentContractTest, AggregatesFollowMergeAndUnmergeExactly) {
  ServiceProcess identify("identify");
  ASSERT_TRUE(WaitForHealth(identify.channel().get(), "SERVING", absl::Seconds(20)));
  ServiceProcess loyalty("loyalty", true, {"--identify_target=127.0.0.1:1"});
  ServiceProcess segment("segment", true,
                         {"--loyalty_target=" + loyalty.address(),
                          "--complaints_target=", "--identify_target=" + identify.address()});
  ASSERT_TRUE(WaitForHealth(segment.channel().get(), "SERVING", absl::Seconds(20)));
  auto customers = identify::v1::IdentifyService::NewStub(identify.channel());
  auto create = [&](const std::string& request_id) {
    identify::v1::CreateCustomerRequest request;
    request.set_request_id(request_id);
    request.mutable_customer()->set_kind(identify::v1::CUSTOMER_KIND_PERSON);
    request.mutable_customer()->set_category(identify::v1::CUSTOMER_CATEGORY_CONSUMER);
    request.mutable_customer()->set_display_name("Customer " + request_id);
    identify::v1::CreateCustomerResponse response;
    EXPECT_TRUE(customers->CreateCustomer(Context().get(), request, &response).ok());
    return response.customer().customer_id();
  };
  const std::string a = create("a"), b = create("b");
  auto& db = segment.db();
  auto conn = db.Connect();
  auto exec = [&](const std::string& sql) {
    std::unique_ptr<sql::Statement>(conn->createStatement())->execute(sql);
  };
  // What the loyalty and complaints feeds had brought in for both.
  exec(absl::StrCat("INSERT INTO customer_purchase_days VALUES ('", a,
                    "', '2026-03-01', 1000, 1), ('", a, "', '2026-03-02', 500, 1), ('", b,
                    "', '2026-03-02', 700, 2), ('", b, "', '2026-03-05', 300, 1)"));
  exec(absl::StrCat("INSERT INTO customer_complaints VALUES ('", a,
                    "', 1, 1, 0, '2026-02-01', 4, 1), ('", b, "', 2, 1, 1, '2026-03-04', 2, 1)"));
  auto days_of = [&](const std::string& id) {
    return db.Query(
        absl::StrCat("SELECT GROUP_CONCAT(day, ':', cents, ':', purchases ORDER BY day) "
                     "FROM customer_purchase_days WHERE customer_id = '",
                     id, "'"));
  };
  auto complaints_of = [&](const std::string& id) {
    return db.Query(
        absl::StrCat("SELECT CONCAT_WS(':', filed, resolved, reopened, last_filed, "
                     "satisfaction_sum, satisfaction_count) FROM customer_complaints "
                     "WHERE customer_id = '",
                     id, "'"));
  };
  auto eventually = [&](auto read, const std::string& want) {
    const absl::Time give_up = absl::Now() + absl::Seconds(15);
    while (read() != want && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(100));
    return read();
  };

  identify::v1::MergeCustomersRequest merge;
  merge.set_request_id("m1");
  merge.set_survivor_id(a);
  merge.set_merged_id(b);
  merge.set_reason("same person");
  identify::v1::MergeCustomersResponse merged;
  ASSERT_TRUE(customers->MergeCustomers(Context().get(), merge, &merged).ok());
  EXPECT_EQ(eventually([&] { return days_of(a); },
                       "2026-03-01:1000:1,2026-03-02:1200:3,2026-03-05:300:1"),
            "2026-03-01:1000:1,2026-03-02:1200:3,2026-03-05:300:1")
      << segment.process().Log();
  EXPECT_EQ(days_of(b), "");
  EXPECT_EQ(complaints_of(a), "3:2:1:2026-03-04:6:2");
  EXPECT_EQ(complaints_of(b), "");

  // The merged customer's card is still used at a till: the purchase counts
  // for the survivor while merged, and goes back with the unmerge.
  auto points = loyalty::v1::LoyaltyService::NewStub(loyalty.channel());
  loyalty::v1::EnrollMemberResponse enrolled;
  *enrolled.mutable_member() = testing::EnrollInNewClub(*points, b);
  loyalty::v1::RecordPurchaseRequest buy;
  buy.mutable_purchase()->set_member_id(enrolled.member().member_id());
  buy.mutable_purchase()->set_source_transaction_id("till-9/1");
  // Today (the program's rules start now).
  const std::string today =
      absl::FormatCivilTime(absl::ToCivilDay(absl::Now(), absl::UTCTimeZone()));
  auto* line = buy.mutable_purchase()->add_lines();
  line->set_sku("tea");
  line->set_quantity(1);
  line->set_amount_minor(800);
  loyalty::v1::RecordPurchaseResponse bought;
  ASSERT_TRUE(points->RecordPurchase(Context().get(), buy, &bought).ok());
  const std::string with_till =
      "2026-03-01:1000:1,2026-03-02:1200:3,2026-03-05:300:1," + today + ":800:1";
  EXPECT_EQ(eventually([&] { return days_of(a); }, with_till), with_till);
  EXPECT_EQ(days_of(b), "");

  // The survivor buys again while merged.
  exec(absl::StrCat(
      "UPDATE customer_purchase_days SET cents = cents + 50, purchases = purchases + 1 "
      "WHERE customer_id = '",
      a, "' AND day = '2026-03-05'"));
  identify::v1::UnmergeCustomersRequest unmerge;
  unmerge.set_request_id("u1");
  unmerge.set_merge_id(merged.merge_id());
  unmerge.set_reason("two people after all");
  identify::v1::UnmergeCustomersResponse unmerged;
  ASSERT_TRUE(customers->UnmergeCustomers(Context().get(), unmerge, &unmerged).ok());
  const std::string b_back = "2026-03-02:700:2,2026-03-05:300:1," + today + ":800:1";
  EXPECT_EQ(eventually([&] { return days_of(b); }, b_back), b_back);
  EXPECT_EQ(days_of(a), "2026-03-01:1000:1,2026-03-02:500:1,2026-03-05:50:1");
  EXPECT_EQ(complaints_of(a), "1:1:0:2026-02-01:4:1");
  EXPECT_EQ(complaints_of(b), "2:1:1:2026-03-04:2:1");
  EXPECT_EQ(db.Query("SELECT COUNT(*) FROM merge_moved_days"), "0");
  EXPECT_EQ(db.Query("SELECT COUNT(*) FROM merge_redirects"), "0");
}

}  // namespace
}  // namespace crm
