// A merge in identify is followed by loyalty, complaints and segment through
// identify's change feed, and undone exactly by the unmerge.
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "crm/complaints/v1/complaints.grpc.pb.h"
#include "crm/identify/v1/identify.grpc.pb.h"
#include "crm/loyalty/v1/loyalty.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/contract/loyalty_setup.h"
#include "tests/contract/rpc_expectations.h"
#include "tests/contract/service_process.h"

namespace crm {
namespace {

using testing::Context;
using testing::ServiceProcess;
using testing::WaitForHealth;
namespace lv1 = loyalty::v1;

// Polls `read` until it returns `want` or 15 seconds pass; the last value.
template <typename Read>
auto Eventually(Read read, const decltype(read())& want) {
  const absl::Time give_up = absl::Now() + absl::Seconds(15);
  auto got = read();
  while (got != want && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(100));
    got = read();
  }
  return got;
}

class MergePropagationTest : public ::testing::Test {
 protected:
  MergePropagationTest()
      : identify_("identify"),
        loyalty_("loyalty", true, {"--identify_target=" + identify_.address()}),
        complaints_(
            "complaints", true,
            {"--identify_target=" + identify_.address(), "--loyalty_target=" + loyalty_.address(),
             "--segment_target=127.0.0.1:1", "--sla_sweep_interval=0"}),
        segment_("segment", true,
                 {"--loyalty_target=" + loyalty_.address(),
                  "--complaints_target=" + complaints_.address(),
                  "--identify_target=" + identify_.address()}) {
    for (auto* svc : {&identify_, &loyalty_, &complaints_, &segment_}) {
      EXPECT_TRUE(WaitForHealth(svc->channel().get(), "SERVING", absl::Seconds(20)))
          << svc->process().Log();
    }
    customers_ = identify::v1::IdentifyService::NewStub(identify_.channel());
    points_ = lv1::LoyaltyService::NewStub(loyalty_.channel());
    cases_ = complaints::v1::ComplaintsService::NewStub(complaints_.channel());
  }

  static identify::v1::Identifier Card(const std::string& number) {
    identify::v1::Identifier card;
    card.set_type(identify::v1::IDENTIFIER_TYPE_MEMBER_CARD);
    card.set_value(number);
    return card;
  }

  std::string CreateCustomer(const std::string& name, const std::string& card = "") {
    identify::v1::CreateCustomerRequest request;
    request.set_request_id(absl::StrCat("create-", ++created_));
    request.mutable_customer()->set_kind(identify::v1::CUSTOMER_KIND_PERSON);
    request.mutable_customer()->set_category(identify::v1::CUSTOMER_CATEGORY_CONSUMER);
    request.mutable_customer()->set_display_name(name);
    if (!card.empty()) *request.mutable_customer()->add_identifiers() = Card(card);
    identify::v1::CreateCustomerResponse response;
    const grpc::Status status = customers_->CreateCustomer(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.customer().customer_id();
  }

  lv1::Member Enroll(const std::string& program_id, const std::string& customer_id) {
    lv1::EnrollMemberRequest request;
    request.set_program_id(program_id);
    request.set_customer_id(customer_id);
    lv1::EnrollMemberResponse response;
    EXPECT_TRUE(points_->EnrollMember(Context().get(), request, &response).ok());
    return response.member();
  }

  grpc::Status Buy(const std::string& member_id, const std::string& transaction,
                   int64_t amount_minor) {
    lv1::RecordPurchaseRequest request;
    request.mutable_purchase()->set_member_id(member_id);
    request.mutable_purchase()->set_source_transaction_id(transaction);
    auto* line = request.mutable_purchase()->add_lines();
    line->set_sku("tea-" + transaction);
    line->set_quantity(1);
    line->set_amount_minor(amount_minor);
    lv1::RecordPurchaseResponse response;
    return points_->RecordPurchase(Context().get(), request, &response);
  }

  lv1::Member Member(const std::string& member_id) {
    lv1::GetMemberRequest request;
    request.set_member_id(member_id);
    lv1::GetMemberResponse response;
    EXPECT_TRUE(points_->GetMember(Context().get(), request, &response).ok());
    return response.member();
  }

  // The member's usable coupons' ids, comma-separated.
  std::string Coupons(const std::string& member_id) {
    lv1::ListCouponsRequest request;
    request.set_member_id(member_id);
    lv1::ListCouponsResponse response;
    EXPECT_TRUE(points_->ListCoupons(Context().get(), request, &response).ok());
    std::string ids;
    for (const auto& c : response.coupons())
      absl::StrAppend(&ids, ids.empty() ? "" : ",", c.coupon_id());
    return ids;
  }

  std::string ComplaintOwner(const std::string& complaint_id) {
    complaints::v1::GetComplaintRequest request;
    request.set_complaint_id(complaint_id);
    complaints::v1::GetComplaintResponse response;
    EXPECT_TRUE(cases_->GetComplaint(Context().get(), request, &response).ok());
    return response.complaint().customer_id();
  }

  // What segment's aggregates hold for the customer: "spend/purchases".
  std::string SegmentPurchases(const std::string& customer_id) {
    return segment_.db().Query(
        absl::StrCat("SELECT CONCAT(COALESCE(SUM(cents), 0), '/', COALESCE(SUM(purchases), 0)) "
                     "FROM customer_purchase_days WHERE customer_id = '",
                     customer_id, "'"));
  }

  ServiceProcess identify_, loyalty_, complaints_, segment_;
  std::unique_ptr<identify::v1::IdentifyService::Stub> customers_;
  std::unique_ptr<lv1::LoyaltyService::Stub> points_;
  std::unique_ptr<complaints::v1::ComplaintsService::Stub> cases_;
  int created_ = 0;
};

TEST_F(MergePropagationTest, PointsComplaintsAndAggregatesFollowMergeAndComeBackOnUnmerge) {
  const std::string survivor = CreateCustomer("Li Na"), merged = CreateCustomer("Na Li", "8800777");
  // Points stay pending for a 14-day return window; a return takes back
  // only the purchase's own pending points.
  lv1::CreateProgramRequest program;
  program.mutable_program()->set_display_name("Club");
  program.mutable_program()->set_currency_code("CNY");
  program.mutable_program()->mutable_rules()->mutable_earning()->set_points_per_currency_unit(1);
  program.mutable_program()->mutable_rules()->set_pending_days(14);
  lv1::CreateProgramResponse program_made;
  ASSERT_TRUE(points_->CreateProgram(Context().get(), program, &program_made).ok());
  const lv1::Member s = Enroll(program_made.program().program_id(), survivor);
  const lv1::Member m = Enroll(s.program_id(), merged);
  ASSERT_TRUE(Buy(s.member_id(), "s-1", 10000).ok());  // 100 points
  ASSERT_TRUE(Buy(m.member_id(), "m-1", 25000).ok());  // 250 points
  ASSERT_TRUE(Buy(m.member_id(), "m-2", 4000).ok());   // 40 points
  lv1::IssueCouponsRequest issue;
  issue.set_request_id("issue-1");
  issue.set_program_id(s.program_id());
  issue.add_member_ids(m.member_id());
  issue.mutable_coupon()->set_campaign("thanks");
  issue.mutable_coupon()->set_bonus_points(25);
  issue.mutable_coupon()->mutable_start_time()->set_seconds(absl::ToUnixSeconds(absl::Now()) - 60);
  issue.mutable_coupon()->mutable_end_time()->set_seconds(absl::ToUnixSeconds(absl::Now()) + 86400);
  lv1::IssueCouponsResponse issued;
  ASSERT_TRUE(points_->IssueCoupons(Context().get(), issue, &issued).ok());
  ASSERT_EQ(issued.coupons_size(), 1);
  const std::string coupon = issued.coupons(0).coupon_id();
  const int64_t survivor_points = Member(s.member_id()).balance();
  const int64_t merged_points = Member(m.member_id()).balance();
  ASSERT_EQ(merged_points, 290);

  complaints::v1::FileComplaintRequest file;
  file.set_request_id("c-1");
  file.mutable_complaint()->set_customer_id(merged);
  file.mutable_complaint()->set_channel(complaints::v1::CHANNEL_EMAIL);
  file.mutable_complaint()->set_subject("refund");
  file.mutable_complaint()->set_description("the tea arrived cold");
  complaints::v1::FileComplaintResponse filed;
  ASSERT_TRUE(cases_->FileComplaint(Context().get(), file, &filed).ok());
  const std::string complaint = filed.complaint().complaint_id();
  ASSERT_EQ(Eventually([&] { return SegmentPurchases(merged); }, std::string("29000/2")), "29000/2")
      << segment_.process().Log();
  ASSERT_EQ(Eventually([&] { return SegmentPurchases(survivor); }, std::string("10000/1")),
            "10000/1");

  identify::v1::MergeCustomersRequest merge;
  merge.set_request_id("merge-1");
  merge.set_survivor_id(survivor);
  merge.set_merged_id(merged);
  merge.set_reason("same person");
  identify::v1::MergeCustomersResponse merge_done;
  ASSERT_TRUE(customers_->MergeCustomers(Context().get(), merge, &merge_done).ok());

  // Loyalty: the merged member's points are the survivor's, as TRANSFER entries.
  EXPECT_EQ(
      Eventually([&] { return Member(s.member_id()).balance(); }, survivor_points + merged_points),
      survivor_points + merged_points)
      << loyalty_.process().Log();
  const lv1::Member emptied = Member(m.member_id());
  EXPECT_EQ(emptied.balance(), 0);
  EXPECT_EQ(emptied.merged_into_member_id(), s.member_id());
  // Still pending, as they were.
  EXPECT_EQ(Member(s.member_id()).pending_points(), survivor_points + merged_points);
  EXPECT_EQ(Member(s.member_id()).available_points(), 0);
  lv1::ListLedgerEntriesRequest ledger;
  ledger.set_member_id(s.member_id());
  lv1::ListLedgerEntriesResponse entries;
  ASSERT_TRUE(points_->ListLedgerEntries(Context().get(), ledger, &entries).ok());
  int64_t transferred = 0;
  for (const auto& e : entries.entries()) {
    if (e.kind() == lv1::LedgerEntry::KIND_TRANSFER) {
      EXPECT_EQ(e.reference(), merge_done.merge_id());
      transferred += e.points();
    }
  }
  EXPECT_EQ(transferred, merged_points);
  EXPECT_EQ(Coupons(s.member_id()), coupon);
  EXPECT_EQ(Coupons(m.member_id()), "");
  // Every moved lot still names the purchase its points were earned by, and
  // the merge's record names the TRANSFER entries that took them.
  EXPECT_EQ(loyalty_.db().Query(
                "SELECT COUNT(*) FROM point_lots l WHERE l.origin_entry IS NOT NULL AND NOT "
                "EXISTS (SELECT 1 FROM ledger_entries e WHERE e.entry_id = l.origin_entry AND "
                "e.kind = 1)"),
            "0");
  EXPECT_EQ(loyalty_.db().Query("SELECT COUNT(*) FROM merge_lot_moves mv JOIN ledger_entries e "
                                "ON e.entry_id = mv.to_entry AND e.kind = 8"),
            loyalty_.db().Query("SELECT COUNT(*) FROM merge_lot_moves"));
  // The emptied member refuses points changes and names where they went.
  grpc::Status refused = Buy(m.member_id(), "m-3", 1000);
  testing::ExpectError(refused, grpc::StatusCode::FAILED_PRECONDITION, "MEMBER_MERGED",
                       "loyalty.crm");
  // The merged customer's card finds the survivor's membership at the till.
  lv1::IdentifyMemberRequest lookup;
  lookup.set_program_id(s.program_id());
  *lookup.mutable_identifier() = Card("8800777");
  lv1::IdentifyMemberResponse found;
  ASSERT_TRUE(points_->IdentifyMember(Context().get(), lookup, &found).ok());
  EXPECT_EQ(found.member().member_id(), s.member_id());

  // Complaints and segment follow too.
  EXPECT_EQ(Eventually([&] { return ComplaintOwner(complaint); }, survivor), survivor)
      << complaints_.process().Log();
  EXPECT_EQ(Eventually([&] { return SegmentPurchases(survivor); }, std::string("39000/3")),
            "39000/3")
      << segment_.process().Log();

  // While merged: half of the merged customer's first purchase comes back
  // through the survivor's membership, and the survivor buys again.
  lv1::RecordReturnRequest give_back;
  give_back.set_member_id(s.member_id());
  give_back.set_source_transaction_id("m-1");
  give_back.set_source_return_id("r-1");
  give_back.set_amount_minor(12500);
  lv1::RecordReturnResponse returned;
  ASSERT_TRUE(points_->RecordReturn(Context().get(), give_back, &returned).ok());
  EXPECT_EQ(returned.points_reversed(), 125);
  ASSERT_TRUE(Buy(s.member_id(), "s-2", 3000).ok());  // 30 points, stays with the survivor

  identify::v1::UnmergeCustomersRequest unmerge;
  unmerge.set_request_id("unmerge-1");
  unmerge.set_merge_id(merge_done.merge_id());
  unmerge.set_reason("two people after all");
  identify::v1::UnmergeCustomersResponse unmerged;
  ASSERT_TRUE(customers_->UnmergeCustomers(Context().get(), unmerge, &unmerged).ok());

  EXPECT_EQ(Eventually([&] { return Member(m.member_id()).balance(); }, merged_points - 125),
            merged_points - 125)
      << loyalty_.process().Log();
  EXPECT_EQ(Member(m.member_id()).merged_into_member_id(), "");
  EXPECT_EQ(Member(s.member_id()).balance(), survivor_points + 30);
  EXPECT_EQ(Coupons(m.member_id()), coupon);
  EXPECT_EQ(Coupons(s.member_id()), "");
  EXPECT_EQ(Eventually([&] { return ComplaintOwner(complaint); }, merged), merged);
  EXPECT_EQ(Eventually([&] { return SegmentPurchases(merged); }, std::string("29000/2")),
            "29000/2");
  // The merged customer's member works again, and its purchases count for it.
  EXPECT_TRUE(Buy(m.member_id(), "m-3", 1000).ok());
  EXPECT_EQ(Eventually([&] { return SegmentPurchases(merged); }, std::string("30000/3")),
            "30000/3");
  EXPECT_EQ(loyalty_.db().Query("SELECT COUNT(*) FROM merge_lot_moves"), "0");
  // The cached balances still equal the ledger.
  EXPECT_EQ(
      loyalty_.db().Query(
          "SELECT COUNT(*) FROM members m WHERE m.balance <> (SELECT COALESCE(SUM(points), 0) "
          "FROM ledger_entries e WHERE e.member_id = m.member_id)"),
      "0");
}

TEST_F(MergePropagationTest, AMembershipMovesWholeWhenTheSurvivorIsNotAMember) {
  const std::string survivor = CreateCustomer("Wu Di"), merged = CreateCustomer("Di Wu");
  const lv1::Member m = testing::EnrollInNewClub(*points_, merged);
  ASSERT_TRUE(Buy(m.member_id(), "m-1", 5000).ok());

  identify::v1::MergeCustomersRequest merge;
  merge.set_request_id("merge-2");
  merge.set_survivor_id(survivor);
  merge.set_merged_id(merged);
  merge.set_reason("same person");
  identify::v1::MergeCustomersResponse merge_done;
  ASSERT_TRUE(customers_->MergeCustomers(Context().get(), merge, &merge_done).ok());
  EXPECT_EQ(Eventually([&] { return Member(m.member_id()).customer_id(); }, survivor), survivor)
      << loyalty_.process().Log();
  EXPECT_EQ(Member(m.member_id()).balance(), 50);
  ASSERT_TRUE(Buy(m.member_id(), "m-2", 1000).ok());  // the member works on
  // The merged customer cannot enrol again while its membership is away.
  lv1::EnrollMemberRequest again;
  again.set_program_id(m.program_id());
  again.set_customer_id(merged);
  lv1::EnrollMemberResponse enrolled_again;
  testing::ExpectError(points_->EnrollMember(Context().get(), again, &enrolled_again),
                       grpc::StatusCode::FAILED_PRECONDITION, "CUSTOMER_MERGED", "loyalty.crm");

  identify::v1::UnmergeCustomersRequest unmerge;
  unmerge.set_request_id("unmerge-2");
  unmerge.set_merge_id(merge_done.merge_id());
  unmerge.set_reason("two people after all");
  identify::v1::UnmergeCustomersResponse unmerged;
  ASSERT_TRUE(customers_->UnmergeCustomers(Context().get(), unmerge, &unmerged).ok());
  EXPECT_EQ(Eventually([&] { return Member(m.member_id()).customer_id(); }, merged), merged);
  EXPECT_EQ(Member(m.member_id()).balance(), 60);
}

// a into b, then b into c: c holds all the points; the unmerges give each
// back its own, wherever the later merge moved them.
TEST_F(MergePropagationTest, ChainedMergesComeBackExactly) {
  const std::string a = CreateCustomer("An Ya"), b = CreateCustomer("Bo Bai"),
                    c = CreateCustomer("Ci Cao");
  const lv1::Member ma = testing::EnrollInNewClub(*points_, a);
  const lv1::Member mb = Enroll(ma.program_id(), b);
  const lv1::Member mc = Enroll(ma.program_id(), c);
  ASSERT_TRUE(Buy(ma.member_id(), "a-1", 10000).ok());
  ASSERT_TRUE(Buy(mb.member_id(), "b-1", 20000).ok());
  ASSERT_TRUE(Buy(mc.member_id(), "c-1", 30000).ok());
  const int64_t pa = Member(ma.member_id()).balance(), pb = Member(mb.member_id()).balance(),
                pc = Member(mc.member_id()).balance();
  auto merge = [&](const std::string& survivor, const std::string& merged) {
    identify::v1::MergeCustomersRequest request;
    request.set_request_id("merge-" + merged.substr(20));
    request.set_survivor_id(survivor);
    request.set_merged_id(merged);
    request.set_reason("same person");
    identify::v1::MergeCustomersResponse response;
    EXPECT_TRUE(customers_->MergeCustomers(Context().get(), request, &response).ok());
    return response.merge_id();
  };
  auto unmerge = [&](const std::string& merge_id) {
    identify::v1::UnmergeCustomersRequest request;
    request.set_request_id("unmerge-" + merge_id.substr(0, 20));
    request.set_merge_id(merge_id);
    request.set_reason("different people");
    identify::v1::UnmergeCustomersResponse response;
    const grpc::Status status = customers_->UnmergeCustomers(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
  };
  auto balance = [&](const lv1::Member& m) { return Member(m.member_id()).balance(); };
  const std::string ab = merge(b, a);
  ASSERT_EQ(Eventually([&] { return balance(mb); }, pa + pb), pa + pb) << loyalty_.process().Log();
  const std::string bc = merge(c, b);
  ASSERT_EQ(Eventually([&] { return balance(mc); }, pa + pb + pc), pa + pb + pc)
      << loyalty_.process().Log();
  EXPECT_EQ(Member(ma.member_id()).merged_into_member_id(), mb.member_id());
  EXPECT_EQ(Member(mb.member_id()).merged_into_member_id(), mc.member_id());

  unmerge(bc);
  EXPECT_EQ(Eventually([&] { return balance(mc); }, pc), pc) << loyalty_.process().Log();
  EXPECT_EQ(balance(mb), pa + pb);
  unmerge(ab);
  EXPECT_EQ(Eventually([&] { return balance(ma); }, pa), pa) << loyalty_.process().Log();
  EXPECT_EQ(balance(mb), pb);
  EXPECT_EQ(balance(mc), pc);
  EXPECT_EQ(loyalty_.db().Query("SELECT COUNT(*) FROM merge_lot_moves"), "0");
}

}  // namespace
}  // namespace crm
