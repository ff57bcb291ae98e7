// Segment's segments by rule, by address: a customer's purchase reaches
// segment through loyalty's feed, a recompute puts the customer in a segment
// whose rule matches, a return takes them out, and the history remembers.
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "crm/identify/v1/identify.grpc.pb.h"
#include "crm/loyalty/v1/loyalty.grpc.pb.h"
#include "crm/segment/v1/segment.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/contract/endpoint/contract_test_util.h"
#include "tests/contract/endpoint/segment_jobs.h"

namespace crm::contract {
namespace {

namespace sv1 = segment::v1;
namespace lv1 = loyalty::v1;

std::unique_ptr<sv1::SegmentService::Stub> Segments() {
  return sv1::SegmentService::NewStub(Suite().segment());
}

// Recomputes until the customer's net spend is `monetary_minor`.
bool RecomputeUntilSpend(const std::string& customer_id, int64_t monetary_minor) {
  return RecomputeUntil(customer_id, [&](const sv1::CustomerValue& v) {
    return v.monetary_minor() == monetary_minor;
  });
}

std::vector<std::string> Members(const std::string& segment_id,
                                 std::optional<absl::Time> as_of = std::nullopt) {
  auto segments = Segments();
  sv1::ListSegmentMembersRequest list;
  list.set_segment_id(segment_id);
  list.set_page_size(1);
  if (as_of.has_value()) list.mutable_as_of()->set_seconds(absl::ToUnixSeconds(*as_of));
  std::vector<std::string> members;
  do {
    sv1::ListSegmentMembersResponse page;
    const grpc::Status status = segments->ListSegmentMembers(As().get(), list, &page);
    EXPECT_TRUE(status.ok()) << status.error_message();
    if (!status.ok()) break;
    for (const auto& m : page.members()) members.push_back(m.customer_id());
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty() && members.size() < 50);
  return members;
}

// A customer of its own with one purchase of a run-unique amount, so that a
// rule on the amount selects this customer alone.
struct Shopper {
  std::string customer_id, member_id, transaction;
  int64_t spent = 0;
};

Shopper NewShopper() {
  auto customers = identify::v1::IdentifyService::NewStub(Suite().identify());
  identify::v1::CreateCustomerRequest create;
  create.set_request_id(Suite().Unique("seg-customer"));
  create.mutable_customer()->set_kind(identify::v1::CUSTOMER_KIND_PERSON);
  create.mutable_customer()->set_category(identify::v1::CUSTOMER_CATEGORY_CONSUMER);
  create.mutable_customer()->set_display_name("Segment Shopper");
  identify::v1::CreateCustomerResponse created;
  EXPECT_TRUE(customers->CreateCustomer(As().get(), create, &created).ok());
  Shopper shopper;
  shopper.customer_id = created.customer().customer_id();

  auto points = lv1::LoyaltyService::NewStub(Suite().loyalty());
  lv1::CreateProgramRequest program;
  program.set_request_id(Suite().Unique("seg-program"));
  program.mutable_program()->set_display_name("Segment club");
  program.mutable_program()->set_currency_code("CNY");
  program.mutable_program()->set_points_per_currency_unit(1);
  lv1::CreateProgramResponse program_made;
  EXPECT_TRUE(points->CreateProgram(As().get(), program, &program_made).ok());
  lv1::EnrollMemberRequest enroll;
  enroll.set_program_id(program_made.program().program_id());
  enroll.set_customer_id(shopper.customer_id);
  lv1::EnrollMemberResponse enrolled;
  EXPECT_TRUE(points->EnrollMember(As().get(), enroll, &enrolled).ok());
  shopper.member_id = enrolled.member().member_id();

  // 10,000.00-99,999.99 CNY, different in every run.
  shopper.spent =
      1000000 + static_cast<int64_t>(std::hash<std::string>()(Suite().Unique("amount")) % 8999999);
  lv1::RecordPurchaseRequest buy;
  buy.mutable_purchase()->set_member_id(shopper.member_id);
  shopper.transaction = Suite().Unique("seg-till");
  buy.mutable_purchase()->set_source_transaction_id(shopper.transaction);
  auto* line = buy.mutable_purchase()->add_lines();
  line->set_sku("piano");
  line->set_quantity(1);
  line->set_amount_minor(shopper.spent);
  lv1::RecordPurchaseResponse bought;
  EXPECT_TRUE(points->RecordPurchase(As().get(), buy, &bought).ok());
  return shopper;
}

sv1::Segment CreateSegment(const std::string& request_id, const std::string& name,
                           const std::string& rule, grpc::Status* status = nullptr) {
  sv1::CreateSegmentRequest create;
  create.set_request_id(request_id);
  create.mutable_segment()->set_name(name);
  create.mutable_segment()->set_description("contract test segment");
  create.mutable_segment()->set_rule(rule);
  sv1::CreateSegmentResponse created;
  const grpc::Status result = Segments()->CreateSegment(As().get(), create, &created);
  if (status != nullptr) {
    *status = result;
  } else {
    EXPECT_TRUE(result.ok()) << result.error_message();
  }
  return created.segment();
}

TEST(SegmentsByRuleContract, MembershipFollowsRecomputesAndTheHistoryRemembersWhoWasIn) {
  const Shopper shopper = NewShopper();
  const std::string name = Suite().Unique("big-spender");
  const std::string rule = absl::StrCat("monetary_minor = ", shopper.spent, " and frequency >= 1");
  const std::string request_id = Suite().Unique("create-segment");
  const sv1::Segment segment = CreateSegment(request_id, name, rule);
  EXPECT_EQ(segment.rule(), rule);
  EXPECT_EQ(segment.members(), 0);
  EXPECT_FALSE(segment.has_evaluate_time());
  // A replay returns the first segment; the name is taken for anyone else.
  EXPECT_EQ(CreateSegment(request_id, name, rule).segment_id(), segment.segment_id());
  grpc::Status taken;
  CreateSegment(Suite().Unique("create-segment"), name, "r = 5", &taken);
  ExpectError(taken, grpc::StatusCode::ALREADY_EXISTS, "SEGMENT_EXISTS", "segment.crm");
  EXPECT_TRUE(Members(segment.segment_id()).empty());

  const absl::Time before_first = absl::Now() - absl::Seconds(1);
  ASSERT_TRUE(RecomputeUntilSpend(shopper.customer_id, shopper.spent));
  EXPECT_EQ(Members(segment.segment_id()), std::vector<std::string>{shopper.customer_id});
  sv1::GetCustomerSegmentsRequest of_customer;
  of_customer.set_customer_id(shopper.customer_id);
  sv1::GetCustomerSegmentsResponse customer_segments;
  ASSERT_TRUE(Segments()->GetCustomerSegments(As().get(), of_customer, &customer_segments).ok());
  ASSERT_EQ(customer_segments.segments_size(), 1);
  EXPECT_EQ(customer_segments.segments(0).segment_id(), segment.segment_id());
  EXPECT_EQ(customer_segments.segments(0).name(), name);
  sv1::GetCustomerValueRequest value_of;
  value_of.set_customer_id(shopper.customer_id);
  sv1::GetCustomerValueResponse value;
  ASSERT_TRUE(Segments()->GetCustomerValue(As().get(), value_of, &value).ok());
  EXPECT_EQ(
      std::vector<std::string>(value.value().segments().begin(), value.value().segments().end()),
      std::vector<std::string>{name});

  // Half comes back: the customer no longer matches and leaves at the next
  // recompute; who was in at a past time stays answerable.
  absl::SleepFor(absl::Seconds(1));
  const absl::Time while_in = absl::Now();
  absl::SleepFor(absl::Seconds(1));
  auto points = lv1::LoyaltyService::NewStub(Suite().loyalty());
  lv1::RecordReturnRequest give_back;
  give_back.set_member_id(shopper.member_id);
  give_back.set_source_transaction_id(shopper.transaction);
  give_back.set_source_return_id(Suite().Unique("seg-return"));
  give_back.set_amount_minor(shopper.spent / 2);
  lv1::RecordReturnResponse returned;
  ASSERT_TRUE(points->RecordReturn(As().get(), give_back, &returned).ok());
  ASSERT_TRUE(RecomputeUntilSpend(shopper.customer_id, shopper.spent - shopper.spent / 2));
  EXPECT_TRUE(Members(segment.segment_id()).empty());
  EXPECT_EQ(Members(segment.segment_id(), while_in), std::vector<std::string>{shopper.customer_id});
  EXPECT_TRUE(Members(segment.segment_id(), before_first).empty());
  ASSERT_TRUE(Segments()->GetCustomerSegments(As().get(), of_customer, &customer_segments).ok());
  EXPECT_EQ(customer_segments.segments_size(), 0);

  sv1::GetSegmentRequest get;
  get.set_segment_id(segment.segment_id());
  sv1::GetSegmentResponse got;
  ASSERT_TRUE(Segments()->GetSegment(As().get(), get, &got).ok());
  EXPECT_EQ(got.segment().members(), 0);
  EXPECT_TRUE(got.segment().has_evaluate_time());
  ASSERT_GE(got.size_history_size(), 2);
  EXPECT_EQ(got.size_history(0).left(), 1);  // newest first
  int joined = 0;
  for (const auto& size : got.size_history()) joined += size.joined();
  EXPECT_EQ(joined, 1);
}

TEST(SegmentsByRuleContract, BadRulesAndIdsAreInvalidArgumentUnknownOnesNotFound) {
  grpc::Status status;
  CreateSegment(Suite().Unique("bad-rule"), Suite().Unique("bad"), "tier = vip", &status);
  ExpectError(status, grpc::StatusCode::INVALID_ARGUMENT, "INVALID_RULE", "segment.crm");
  EXPECT_NE(status.error_message().find("at 8: expected quoted text"), std::string::npos)
      << status.error_message();
  CreateSegment(Suite().Unique("no-name"), "", "r = 5", &status);
  ExpectError(status, grpc::StatusCode::INVALID_ARGUMENT, "INVALID_FIELD", "segment.crm");

  sv1::GetSegmentRequest get;
  get.set_segment_id("01ARZ3NDEKTSV4RRFFQ69G5FAV");
  sv1::GetSegmentResponse got;
  ExpectError(Segments()->GetSegment(As().get(), get, &got), grpc::StatusCode::NOT_FOUND,
              "SEGMENT_NOT_FOUND", "segment.crm");
  sv1::ListSegmentMembersRequest members;
  members.set_segment_id("01ARZ3NDEKTSV4RRFFQ69G5FAV");
  sv1::ListSegmentMembersResponse listed;
  ExpectError(Segments()->ListSegmentMembers(As().get(), members, &listed),
              grpc::StatusCode::NOT_FOUND, "SEGMENT_NOT_FOUND", "segment.crm");
  // A past time the history cannot hold: refused, not a database error.
  members.mutable_as_of()->set_seconds(300000000000);
  ExpectError(Segments()->ListSegmentMembers(As().get(), members, &listed),
              grpc::StatusCode::INVALID_ARGUMENT, "INVALID_FIELD", "segment.crm");
  get.set_segment_id("not-an-id");
  ExpectError(Segments()->GetSegment(As().get(), get, &got), grpc::StatusCode::INVALID_ARGUMENT,
              "INVALID_FIELD", "segment.crm");
}

TEST(SegmentsByRuleContract, ListSegmentsPagesWithoutDuplicates) {
  std::set<std::string> mine;
  for (int i = 0; i < 3; ++i) {
    mine.insert(
        CreateSegment(Suite().Unique("page"), Suite().Unique("paged"), "f = 5").segment_id());
  }
  sv1::ListSegmentsRequest list;
  list.set_page_size(2);
  std::set<std::string> seen;
  int pages = 0;
  do {
    sv1::ListSegmentsResponse page;
    ASSERT_TRUE(Segments()->ListSegments(As().get(), list, &page).ok());
    EXPECT_LE(page.segments_size(), 2);
    for (const auto& s : page.segments()) EXPECT_TRUE(seen.insert(s.segment_id()).second);
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty() && ++pages < 5000);
  for (const std::string& id : mine) EXPECT_EQ(seen.count(id), 1u) << id;
  list.set_page_token("not a token");
  sv1::ListSegmentsResponse page;
  ExpectError(Segments()->ListSegments(As().get(), list, &page), grpc::StatusCode::INVALID_ARGUMENT,
              "INVALID_PAGE_TOKEN", "segment.crm");
}

}  // namespace
}  // namespace crm::contract
