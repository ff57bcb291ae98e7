// The change feeds (crm.events.v1.EventFeedService) of the four services, by
// address.
#include "crm/events/v1/events.grpc.pb.h"
#include "crm/identify/v1/events.pb.h"
#include "crm/identify/v1/identify.grpc.pb.h"
#include "crm/loyalty/v1/events.pb.h"
#include "crm/loyalty/v1/loyalty.grpc.pb.h"
#include "crm/segment/v1/events.pb.h"
#include "crm/segment/v1/segment.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/contract/endpoint/contract_test_util.h"

namespace crm::contract {
namespace {

namespace ev1 = events::v1;

ev1::GetEventHorizonResponse Horizon(const std::string& service) {
  auto feed = ev1::EventFeedService::NewStub(Suite().Channel(service));
  ev1::GetEventHorizonResponse horizon;
  const grpc::Status status = feed->GetEventHorizon(As().get(), {}, &horizon);
  EXPECT_TRUE(status.ok()) << service << ": " << status.error_message();
  return horizon;
}

TEST(FeedsContract, EveryFeedReportsItsHorizon) {
  for (const char* service : {"identify", "loyalty", "complaints", "segment"}) {
    const ev1::GetEventHorizonResponse horizon = Horizon(service);
    EXPECT_LE(horizon.first_seq(), horizon.last_seq()) << service;
    EXPECT_GE(horizon.first_seq(), 0) << service;
  }
}

TEST(FeedsContract, WatchServesANewEventAfterTheHorizonWithoutPersonalData) {
  const int64_t before = Horizon("identify").last_seq();
  auto customers = identify::v1::IdentifyService::NewStub(Suite().identify());
  identify::v1::CreateCustomerRequest create;
  create.set_request_id(Suite().Unique("feed"));
  create.mutable_customer()->set_kind(identify::v1::CUSTOMER_KIND_PERSON);
  create.mutable_customer()->set_category(identify::v1::CUSTOMER_CATEGORY_CONSUMER);
  create.mutable_customer()->set_display_name("Feed Watcher");
  identify::v1::CreateCustomerResponse created;
  ASSERT_TRUE(customers->CreateCustomer(As().get(), create, &created).ok());
  const std::string id = created.customer().customer_id();

  auto feed = ev1::EventFeedService::NewStub(Suite().identify());
  ev1::WatchEventsRequest watch;
  watch.set_after_seq(before);
  watch.add_types("crm.identify.v1.CustomerCreated");
  watch.set_max_batch(50);
  auto context = As();
  auto stream = feed->WatchEvents(context.get(), watch);
  ev1::WatchEventsResponse batch;
  bool seen = false;
  int64_t last = before;
  while (!seen && stream->Read(&batch)) {
    EXPECT_GE(batch.last_seq(), last);
    last = batch.last_seq();
    for (const ev1::Event& event : batch.events()) {
      EXPECT_GT(event.seq(), before);
      identify::v1::CustomerCreated payload;
      ASSERT_TRUE(event.payload().UnpackTo(&payload)) << event.payload().type_url();
      if (payload.customer_id() != id) continue;
      seen = true;
      EXPECT_EQ(event.aggregate_id(), id);
      // The payload names the customer, never the name.
      EXPECT_EQ(event.payload().value().find("Feed Watcher"), std::string::npos);
    }
  }
  context->TryCancel();
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_TRUE(seen) << "CustomerCreated for " << id << " never came after seq " << before;
}

// The first event of `type` after `after_seq` in the service's feed whose
// payload satisfies `wanted`; false after 10 seconds.
template <typename Event>
bool Watch(const std::string& service, int64_t after_seq,
           const std::function<bool(const Event&)>& wanted, Event* found) {
  auto feed = ev1::EventFeedService::NewStub(Suite().Channel(service));
  ev1::WatchEventsRequest watch;
  watch.set_after_seq(after_seq);
  watch.add_types(std::string(Event::descriptor()->full_name()));
  auto context = As();
  auto stream = feed->WatchEvents(context.get(), watch);
  ev1::WatchEventsResponse batch;
  bool seen = false;
  while (!seen && stream->Read(&batch)) {
    for (const ev1::Event& event : batch.events()) {
      if (event.payload().UnpackTo(found) && wanted(*found)) seen = true;
      if (seen) break;
    }
  }
  context->TryCancel();
  stream->Finish();
  return seen;
}

std::string NewCustomer() {
  auto customers = identify::v1::IdentifyService::NewStub(Suite().identify());
  identify::v1::CreateCustomerRequest create;
  create.set_request_id(Suite().Unique("feed-customer"));
  create.mutable_customer()->set_kind(identify::v1::CUSTOMER_KIND_PERSON);
  create.mutable_customer()->set_category(identify::v1::CUSTOMER_CATEGORY_CONSUMER);
  create.mutable_customer()->set_display_name("Feed Customer");
  identify::v1::CreateCustomerResponse created;
  EXPECT_TRUE(customers->CreateCustomer(As().get(), create, &created).ok());
  return created.customer().customer_id();
}

TEST(FeedsContract, LoyaltysFeedCarriesPointsAndLevelChanges) {
  const int64_t before = Horizon("loyalty").last_seq();
  auto points = loyalty::v1::LoyaltyService::NewStub(Suite().loyalty());
  loyalty::v1::CreateProgramRequest program;
  program.set_request_id(Suite().Unique("feed-program"));
  program.mutable_program()->set_display_name("Feed club");
  program.mutable_program()->set_currency_code("CNY");
  auto* rules = program.mutable_program()->mutable_rules();
  rules->mutable_earning()->set_points_per_currency_unit(1);
  auto* silver = rules->mutable_levels()->add_levels();
  silver->set_name("silver");
  auto* gold = rules->mutable_levels()->add_levels();
  gold->set_name("gold");
  gold->set_threshold(10000);
  loyalty::v1::CreateProgramResponse made;
  ASSERT_TRUE(points->CreateProgram(As().get(), program, &made).ok());
  loyalty::v1::EnrollMemberRequest enroll;
  enroll.set_program_id(made.program().program_id());
  enroll.set_customer_id(NewCustomer());
  loyalty::v1::EnrollMemberResponse enrolled;
  ASSERT_TRUE(points->EnrollMember(As().get(), enroll, &enrolled).ok());
  const std::string member = enrolled.member().member_id();

  loyalty::v1::AdjustPointsRequest adjust;
  adjust.set_request_id(Suite().Unique("feed-adjust"));
  adjust.set_member_id(member);
  adjust.set_points(50);
  adjust.set_reason("welcome gift");
  loyalty::v1::AdjustPointsResponse adjusted;
  ASSERT_TRUE(points->AdjustPoints(As().get(), adjust, &adjusted).ok());
  loyalty::v1::PointsChanged changed;
  ASSERT_TRUE(Watch<loyalty::v1::PointsChanged>(
      "loyalty", before, [&](const auto& e) { return e.member_id() == member; }, &changed));
  EXPECT_EQ(changed.kind(), loyalty::v1::LedgerEntry::KIND_ADJUST);
  EXPECT_EQ(changed.points(), 50);

  loyalty::v1::RecordPurchaseRequest buy;
  buy.mutable_purchase()->set_member_id(member);
  buy.mutable_purchase()->set_source_transaction_id(Suite().Unique("feed-till"));
  auto* line = buy.mutable_purchase()->add_lines();
  line->set_sku("tea");
  line->set_quantity(1);
  line->set_amount_minor(12000);
  loyalty::v1::RecordPurchaseResponse bought;
  ASSERT_TRUE(points->RecordPurchase(As().get(), buy, &bought).ok());
  loyalty::v1::LevelChanged level;
  ASSERT_TRUE(Watch<loyalty::v1::LevelChanged>(
      "loyalty", before, [&](const auto& e) { return e.member_id() == member; }, &level));
  EXPECT_EQ(level.previous_level(), "silver");
  EXPECT_EQ(level.level(), "gold");
  EXPECT_EQ(level.cause(), "purchase");
  EXPECT_EQ(level.customer_id(), enroll.customer_id());
}

TEST(FeedsContract, SegmentsFeedCarriesTierChangesAndRaisedWarnings) {
  const int64_t before = Horizon("segment").last_seq();
  const std::string customer = NewCustomer();
  auto segments = segment::v1::SegmentService::NewStub(Suite().segment());
  segment::v1::AssignCustomerTierRequest assign;
  assign.mutable_tier()->set_customer_id(customer);
  assign.mutable_tier()->set_tier("key");
  assign.mutable_tier()->set_reason("signed a framework contract");
  segment::v1::AssignCustomerTierResponse assigned;
  ASSERT_TRUE(segments->AssignCustomerTier(As().get(), assign, &assigned).ok());
  segment::v1::TierChanged tier;
  ASSERT_TRUE(Watch<segment::v1::TierChanged>(
      "segment", before, [&](const auto& e) { return e.customer_id() == customer; }, &tier));
  EXPECT_EQ(tier.previous_tier(), "");
  EXPECT_EQ(tier.tier(), "key");

  segment::v1::SetCreditLimitRequest limit;
  limit.set_customer_id(customer);
  limit.set_credit_limit_minor(100);
  segment::v1::SetCreditLimitResponse limited;
  ASSERT_TRUE(segments->SetCreditLimit(As().get(), limit, &limited).ok());
  segment::v1::RecordReceivablesRequest owed;
  owed.set_customer_id(customer);
  owed.set_outstanding_minor(500);
  segment::v1::RecordReceivablesResponse recorded;
  ASSERT_TRUE(segments->RecordReceivables(As().get(), owed, &recorded).ok());
  segment::v1::WarningRaised raised;
  ASSERT_TRUE(Watch<segment::v1::WarningRaised>(
      "segment", before, [&](const auto& e) { return e.warning().customer_id() == customer; },
      &raised));
  EXPECT_EQ(raised.warning().warning_id(), recorded.warning().warning_id());
  EXPECT_EQ(raised.warning().kind(), segment::v1::Warning::KIND_CREDIT);
}

TEST(FeedsContract, BadWatchRequestsAreInvalidArgument) {
  auto feed = ev1::EventFeedService::NewStub(Suite().loyalty());
  for (const auto& [field, change] :
       std::vector<std::pair<std::string, std::function<void(ev1::WatchEventsRequest&)>>>{
           {"max_batch", [](ev1::WatchEventsRequest& r) { r.set_max_batch(5000); }},
           {"after_seq", [](ev1::WatchEventsRequest& r) { r.set_after_seq(-1); }},
           {"types", [](ev1::WatchEventsRequest& r) { r.add_types(""); }}}) {
    ev1::WatchEventsRequest watch;
    change(watch);
    auto context = As();  // outlives the stream
    auto stream = feed->WatchEvents(context.get(), watch);
    ev1::WatchEventsResponse batch;
    EXPECT_FALSE(stream->Read(&batch)) << field;
    ExpectError(stream->Finish(), grpc::StatusCode::INVALID_ARGUMENT, "INVALID_FIELD",
                "events.crm");
  }
}

TEST(FeedsContract, OnlyTrustedCallersReadTheFeeds) {
  if (!Suite().secured()) GTEST_SKIP() << "plaintext suite: no authorisation to check";
  auto feed = ev1::EventFeedService::NewStub(Suite().complaints());
  ev1::GetEventHorizonResponse horizon;
  const grpc::Status denied = feed->GetEventHorizon(As(Caller::kNoToken).get(), {}, &horizon);
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED) << denied.error_message();
}

}  // namespace
}  // namespace crm::contract
