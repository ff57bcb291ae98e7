#include "common/event_feed.h"

#include <thread>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/sql_util.h"
#include "cppconn/statement.h"
#include "crm/loyalty/v1/events.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "services/loyalty/mysql_loyalty_store.h"
#include "tests/support/test_database.h"

namespace crm {
namespace {

class EventFeedTest : public ::testing::Test {
 protected:
  EventFeedTest() : db_(loyalty::Migrations()), pool_(db_.AppConfig()) {}

  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&feed_);
    server_ = builder.BuildAndStart();
    stub_ = events::v1::EventFeedService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", port_), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override { server_->Shutdown(std::chrono::system_clock::now()); }

  // An event with an explicit sequence number, created `age` ago.
  void Insert(int64_t seq, const std::string& member, absl::Duration age = absl::ZeroDuration()) {
    loyalty::v1::PurchaseRecorded event;
    event.set_customer_id(member);
    auto conn = db_.Connect();
    auto insert = Prepare(*conn,
                          "INSERT INTO outbox_events (seq, event_type, aggregate_id, payload, "
                          "created_at) VALUES (?, ?, ?, ?, ?)");
    std::istringstream payload(event.SerializeAsString());
    insert->setInt64(1, seq);
    insert->setString(2, event.GetDescriptor()->full_name());
    insert->setString(3, member);
    insert->setBlob(4, &payload);
    insert->setString(5, ToSqlDatetime(clock_.Now() - age));
    insert->executeUpdate();
  }

  void Exec(const std::string& sql) {
    std::unique_ptr<sql::Statement>(db_.Connect()->createStatement())->execute(sql);
  }

  // Reads the stream until `last_seq` reaches `until` (or 5 s pass).
  std::vector<events::v1::Event> Watch(int64_t after, int64_t until, grpc::Status* status,
                                       std::vector<std::string> types = {}) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    events::v1::WatchEventsRequest request;
    request.set_after_seq(after);
    request.set_max_batch(2);
    for (auto& t : types) request.add_types(t);
    auto reader = stub_->WatchEvents(&ctx, request);
    std::vector<events::v1::Event> seen;
    events::v1::WatchEventsResponse response;
    while (reader->Read(&response)) {
      for (const auto& e : response.events()) seen.push_back(e);
      if (response.last_seq() >= until) {
        ctx.TryCancel();
        break;
      }
    }
    *status = reader->Finish();
    return seen;
  }

  testing::TestDatabase db_;
  MysqlPool pool_;
  FakeClock clock_{absl::Now()};
  OutboxReader outbox_{&pool_, absl::Seconds(5)};
  EventFeedGrpc feed_{&outbox_, absl::Milliseconds(20)};
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<events::v1::EventFeedService::Stub> stub_;
};

TEST_F(EventFeedTest, ServesInOrderThenFollowsNewEvents) {
  Insert(1, "m1");
  Insert(2, "m2");
  Insert(3, "m3");
  std::thread later([&] {
    absl::SleepFor(absl::Milliseconds(300));
    Insert(4, "m4");
  });
  grpc::Status status;
  const auto seen = Watch(0, 4, &status);
  later.join();
  ASSERT_EQ(seen.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(seen[i].seq(), i + 1);
  loyalty::v1::PurchaseRecorded event;
  ASSERT_TRUE(seen[3].payload().UnpackTo(&event));
  EXPECT_EQ(event.customer_id(), "m4");
  EXPECT_EQ(seen[3].aggregate_id(), "m4");
  EXPECT_EQ(seen[3].payload().type_url(),
            "type.googleapis.com/crm.loyalty.v1.PurchaseRecorded");
}

TEST_F(EventFeedTest, WaitsForAGapToFillAndSkipsItOnceItIsOld) {
  Insert(1, "m1");
  Insert(3, "m3");  // 2 is still in flight
  auto batch = outbox_.Read(0, 10, {});
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->last_seq, 1);
  Insert(2, "m2");  // it commits late: served in order
  batch = outbox_.Read(1, 10, {});
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->events.size(), 2u);
  EXPECT_EQ(batch->events[0].seq(), 2);
  Insert(5, "m5");  // 4 rolled back: skipped once 5 is older than the timeout
  EXPECT_EQ(outbox_.Read(3, 10, {})->last_seq, 3);
  Exec("UPDATE outbox_events SET created_at = created_at - INTERVAL 6 SECOND "
       "WHERE seq = 5");  // six seconds later, on the database's clock
  EXPECT_EQ(outbox_.Read(3, 10, {})->last_seq, 5);
}

TEST_F(EventFeedTest, RefusesBadRequests) {
  grpc::Status status;
  Watch(-1, 0, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  Watch(0, 0, &status, std::vector<std::string>(51, "crm.loyalty.v1.PurchaseRecorded"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  Watch(0, 0, &status, {std::string(101, 'x')});
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(EventFeedTest, FiltersByTypeButAdvancesPastEverything) {
  Insert(1, "m1");
  Insert(2, "m2");
  grpc::Status status;
  const auto seen = Watch(0, 2, &status, {"crm.loyalty.v1.PurchaseReturned"});
  EXPECT_TRUE(seen.empty());
}

TEST_F(EventFeedTest, AConsumerBehindTheHorizonMustResynchronise) {
  Insert(1, "m1", absl::Hours(200));
  Insert(2, "m2", absl::Hours(200));
  Insert(3, "m3");
  auto pruned = outbox_.Prune(clock_.Now() - absl::Hours(24 * 7));
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 2);
  events::v1::GetEventHorizonResponse horizon;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->GetEventHorizon(&ctx, {}, &horizon).ok());
  EXPECT_EQ(horizon.first_seq(), 3);
  EXPECT_EQ(horizon.last_seq(), 3);
  grpc::Status status;
  Watch(1, 3, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("resynchronise"), std::string::npos);
  EXPECT_EQ(Watch(2, 3, &status).size(), 1u);  // from the horizon it works
}

TEST_F(EventFeedTest, PruningKeepsTheNewestSoAQuietFeedStillKnowsItsHorizon) {
  Insert(1, "m1", absl::Hours(200));
  Insert(2, "m2", absl::Hours(200));
  EXPECT_EQ(*outbox_.Prune(clock_.Now() - absl::Hours(24 * 7)), 1);
  EXPECT_EQ(outbox_.Horizon()->first, 2);
  // Events after the consumer's position were pruned: an error, not a skip.
  Insert(9, "m9", absl::Hours(1));
  EXPECT_EQ(ReasonOf(outbox_.Read(2, 10, {}).status()), "");
  Exec("DELETE FROM outbox_events WHERE seq = 2");
  EXPECT_EQ(ReasonOf(outbox_.Read(1, 10, {}).status()), "EVENTS_PRUNED");
}

}  // namespace
}  // namespace crm
