// The change feeds (crm.events.v1.EventFeedService) of identify, loyalty and
// complaints, by address.
#include "crm/events/v1/events.grpc.pb.h"
#include "crm/identify/v1/events.pb.h"
#include "crm/identify/v1/identify.grpc.pb.h"
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
  for (const char* service : {"identify", "loyalty", "complaints"}) {
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
