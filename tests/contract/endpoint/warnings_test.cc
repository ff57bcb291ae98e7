// Segment's early warnings, by address: credit warnings from the inputs set
// through RPCs, churn warnings from a recompute, each raised once per episode.
#include <string>

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
using sv1::Warning;

std::unique_ptr<sv1::SegmentService::Stub> Segments() {
  return sv1::SegmentService::NewStub(Suite().segment());
}

std::string NewCustomer(const std::string& name) {
  auto customers = identify::v1::IdentifyService::NewStub(Suite().identify());
  identify::v1::CreateCustomerRequest create;
  create.set_request_id(Suite().Unique("warn-customer"));
  create.mutable_customer()->set_kind(identify::v1::CUSTOMER_KIND_ORGANIZATION);
  create.mutable_customer()->set_category(identify::v1::CUSTOMER_CATEGORY_INTERMEDIARY);
  create.mutable_customer()->set_display_name(name);
  identify::v1::CreateCustomerResponse created;
  const grpc::Status status = customers->CreateCustomer(As().get(), create, &created);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return created.customer().customer_id();
}

sv1::RecordReceivablesResponse Receivables(const std::string& customer_id, int64_t minor) {
  sv1::RecordReceivablesRequest request;
  request.set_customer_id(customer_id);
  request.set_outstanding_minor(minor);
  sv1::RecordReceivablesResponse response;
  const grpc::Status status = Segments()->RecordReceivables(As().get(), request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return response;
}

sv1::SetCreditLimitResponse Limit(const std::string& customer_id, int64_t minor) {
  sv1::SetCreditLimitRequest request;
  request.set_customer_id(customer_id);
  request.set_credit_limit_minor(minor);
  sv1::SetCreditLimitResponse response;
  const grpc::Status status = Segments()->SetCreditLimit(As().get(), request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return response;
}

std::vector<Warning> WarningsOf(const std::string& customer_id, bool open_only = false,
                                Warning::Kind kind = Warning::KIND_UNSPECIFIED) {
  sv1::ListWarningsRequest list;
  list.set_customer_id(customer_id);
  list.set_open_only(open_only);
  list.set_kind(kind);
  list.set_page_size(1);
  std::vector<Warning> warnings;
  do {
    sv1::ListWarningsResponse page;
    const grpc::Status status = Segments()->ListWarnings(As().get(), list, &page);
    EXPECT_TRUE(status.ok()) << status.error_message();
    if (!status.ok()) break;
    for (const Warning& w : page.warnings()) warnings.push_back(w);
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty() && warnings.size() < 100);
  return warnings;
}

grpc::Status Resolve(const std::string& warning_id, const std::string& note,
                     sv1::ResolveWarningResponse* response) {
  sv1::ResolveWarningRequest request;
  request.set_warning_id(warning_id);
  request.set_note(note);
  return Segments()->ResolveWarning(As().get(), request, response);
}

grpc::Status Acknowledge(const std::string& warning_id, sv1::AcknowledgeWarningResponse* response) {
  sv1::AcknowledgeWarningRequest request;
  request.set_warning_id(warning_id);
  request.set_note("calling the buyer");
  return Segments()->AcknowledgeWarning(As().get(), request, response);
}

TEST(WarningsContract, ACreditWarningIsRaisedOncePerEpisode) {
  const std::string customer = NewCustomer("Acme Trading");
  EXPECT_FALSE(Limit(customer, 10000).has_warning());
  EXPECT_FALSE(Receivables(customer, 9000).has_warning());

  // Over the limit: raised, with the figures.
  const sv1::RecordReceivablesResponse over = Receivables(customer, 12000);
  ASSERT_TRUE(over.has_warning());
  const Warning first = over.warning();
  EXPECT_EQ(first.kind(), Warning::KIND_CREDIT);
  EXPECT_EQ(first.state(), Warning::STATE_RAISED);
  ASSERT_EQ(first.reasons_size(), 1);
  EXPECT_EQ(first.reasons(0), "receivables 120.00 above the credit limit of 100.00");
  EXPECT_EQ(over.position().outstanding_minor(), 12000);
  EXPECT_EQ(over.position().credit_limit_minor(), 10000);
  // Still over: the same episode, the same warning, even once resolved.
  EXPECT_EQ(Receivables(customer, 13000).warning().warning_id(), first.warning_id());
  sv1::ResolveWarningResponse resolved;
  ASSERT_TRUE(Resolve(first.warning_id(), "payment plan agreed", &resolved).ok());
  EXPECT_EQ(resolved.warning().state(), Warning::STATE_RESOLVED);
  EXPECT_EQ(resolved.warning().resolve_note(), "payment plan agreed");
  EXPECT_EQ(Receivables(customer, 14000).warning().warning_id(), first.warning_id());
  EXPECT_EQ(WarningsOf(customer).size(), 1u);

  // Back under the limit, then over again: a new episode, a new warning.
  EXPECT_FALSE(Receivables(customer, 5000).has_warning());
  const Warning second = Receivables(customer, 20000).warning();
  EXPECT_NE(second.warning_id(), first.warning_id());
  EXPECT_EQ(second.state(), Warning::STATE_RAISED);
  sv1::AcknowledgeWarningResponse acknowledged;
  ASSERT_TRUE(Acknowledge(second.warning_id(), &acknowledged).ok());
  EXPECT_EQ(acknowledged.warning().state(), Warning::STATE_ACKNOWLEDGED);
  EXPECT_EQ(acknowledged.warning().acknowledge_note(), "calling the buyer");
  ExpectError(Acknowledge(second.warning_id(), &acknowledged),
              grpc::StatusCode::FAILED_PRECONDITION, "WARNING_NOT_OPEN", "segment.crm");
  // The limit goes: the condition ends and the open warning is cleared.
  EXPECT_FALSE(Limit(customer, 0).has_warning());

  const std::vector<Warning> all = WarningsOf(customer);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].warning_id(), second.warning_id());  // newest first
  EXPECT_EQ(all[0].state(), Warning::STATE_CLEARED);
  EXPECT_EQ(all[1].state(), Warning::STATE_RESOLVED);
  EXPECT_TRUE(WarningsOf(customer, true).empty());
  EXPECT_TRUE(WarningsOf(customer, false, Warning::KIND_CHURN).empty());
  ExpectError(Resolve(second.warning_id(), "too late", &resolved),
              grpc::StatusCode::FAILED_PRECONDITION, "WARNING_NOT_OPEN", "segment.crm");
}

TEST(WarningsContract, BadInputIsInvalidArgumentAndUnknownWarningsNotFound) {
  sv1::SetCreditLimitRequest limit;
  limit.set_customer_id("not-a-customer");
  sv1::SetCreditLimitResponse limited;
  ExpectError(Segments()->SetCreditLimit(As().get(), limit, &limited),
              grpc::StatusCode::INVALID_ARGUMENT, "INVALID_FIELD", "segment.crm");
  sv1::RecordReceivablesRequest receivables;
  receivables.set_customer_id("01ARZ3NDEKTSV4RRFFQ69G5FAV");
  receivables.set_outstanding_minor(-1);
  sv1::RecordReceivablesResponse recorded;
  ExpectError(Segments()->RecordReceivables(As().get(), receivables, &recorded),
              grpc::StatusCode::INVALID_ARGUMENT, "INVALID_FIELD", "segment.crm");
  sv1::ResolveWarningResponse resolved;
  ExpectError(Resolve("01ARZ3NDEKTSV4RRFFQ69G5FAV", "done", &resolved), grpc::StatusCode::NOT_FOUND,
              "WARNING_NOT_FOUND", "segment.crm");
  ExpectError(Resolve("01ARZ3NDEKTSV4RRFFQ69G5FAV", "", &resolved),
              grpc::StatusCode::INVALID_ARGUMENT, "INVALID_FIELD", "segment.crm");
  sv1::ListWarningsRequest list;
  list.set_page_token("not a token");
  sv1::ListWarningsResponse listed;
  ExpectError(Segments()->ListWarnings(As().get(), list, &listed),
              grpc::StatusCode::INVALID_ARGUMENT, "INVALID_PAGE_TOKEN", "segment.crm");
  list.clear_page_token();
  list.set_kind(static_cast<Warning::Kind>(99));
  ExpectError(Segments()->ListWarnings(As().get(), list, &listed),
              grpc::StatusCode::INVALID_ARGUMENT, "INVALID_FIELD", "segment.crm");
}

// A customer who bought every 30 days and stopped half a year ago.
TEST(WarningsContract, ARecomputeRaisesAChurnWarningWithItsReasonsOnce) {
  const std::string customer = NewCustomer("Lapsed Wholesale");
  auto points = lv1::LoyaltyService::NewStub(Suite().loyalty());
  lv1::CreateProgramRequest program;
  program.set_request_id(Suite().Unique("warn-program"));
  program.mutable_program()->set_display_name("Trade club");
  program.mutable_program()->set_currency_code("CNY");
  program.mutable_program()->mutable_rules()->mutable_earning()->set_points_per_currency_unit(1);
  program.mutable_program()->mutable_rules()->mutable_effective_time()->set_seconds(
      absl::ToUnixSeconds(absl::Now() - absl::Hours(24 * 400)));
  lv1::CreateProgramResponse made;
  ASSERT_TRUE(points->CreateProgram(As().get(), program, &made).ok());
  lv1::EnrollMemberRequest enroll;
  enroll.set_program_id(made.program().program_id());
  enroll.set_customer_id(customer);
  lv1::EnrollMemberResponse enrolled;
  ASSERT_TRUE(points->EnrollMember(As().get(), enroll, &enrolled).ok());
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  for (int days_ago : {300, 270, 240, 210, 180}) {
    lv1::RecordPurchaseRequest buy;
    buy.mutable_purchase()->set_member_id(enrolled.member().member_id());
    buy.mutable_purchase()->set_source_transaction_id(Suite().Unique("warn-till"));
    buy.mutable_purchase()->mutable_purchase_time()->set_seconds(absl::ToUnixSeconds(
        absl::FromCivil(today - days_ago, absl::UTCTimeZone()) + absl::Hours(12)));
    auto* line = buy.mutable_purchase()->add_lines();
    line->set_sku("pallet");
    line->set_quantity(1);
    line->set_amount_minor(50000);
    lv1::RecordPurchaseResponse bought;
    const grpc::Status status = points->RecordPurchase(As().get(), buy, &bought);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  ASSERT_TRUE(
      RecomputeUntil(customer, [](const sv1::CustomerValue& v) { return v.frequency() == 5; }));
  std::vector<Warning> churn = WarningsOf(customer, false, Warning::KIND_CHURN);
  ASSERT_EQ(churn.size(), 1u);
  EXPECT_EQ(churn[0].state(), Warning::STATE_RAISED);
  ASSERT_EQ(churn[0].reasons_size(), 3);
  EXPECT_EQ(churn[0].reasons(0), "overdue: last purchase 180 days ago, usual interval 30.0 days");
  EXPECT_EQ(churn[0].reasons(1),
            "falling frequency: 5 purchase days in the earlier half of its tenure, 0 in the "
            "recent half");
  EXPECT_EQ(churn[0].reasons(2),
            "falling spend: 2500.00 in the earlier half of its tenure, 0.00 in the recent half");
  sv1::GetCustomerValueRequest value_of;
  value_of.set_customer_id(customer);
  sv1::GetCustomerValueResponse value;
  ASSERT_TRUE(Segments()->GetCustomerValue(As().get(), value_of, &value).ok());
  ASSERT_EQ(value.value().open_warnings_size(), 1);
  EXPECT_EQ(value.value().open_warnings(0).warning_id(), churn[0].warning_id());
  EXPECT_EQ(value.value().lifecycle_stage(), "decline");
  EXPECT_FALSE(value.value().abc_class().empty());
  // The next recompute finds the same episode: nothing new.
  EXPECT_EQ(RunRecompute().state(), sv1::RecomputeJob::STATE_SUCCEEDED);
  churn = WarningsOf(customer, false, Warning::KIND_CHURN);
  ASSERT_EQ(churn.size(), 1u);
  EXPECT_EQ(churn[0].state(), Warning::STATE_RAISED);
}

}  // namespace
}  // namespace crm::contract
