// Exactly once across a crash: segment follows 100,000 events of loyalty's
// change feed, is killed (SIGKILL) in the middle of the stream, and a new
// process takes over the feed when the dead one's lease runs out. Every
// purchase is counted exactly once: no event lost, none applied twice.
#include <csignal>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "cppconn/statement.h"
#include "crm/loyalty/v1/events.pb.h"
#include "gtest/gtest.h"
#include "tests/contract/service_process.h"

namespace crm {
namespace {

constexpr int kEvents = 100000;
constexpr int kCustomers = 1000;

int64_t CentsOf(int i) { return 100 + i % 997; }

// Writes the events straight into loyalty's outbox, as 100,000 purchases
// would, in batches of 1,000 rows.
void FillOutbox(testing::TestDatabase& db) {
  const absl::Time first_day = absl::FromCivil(absl::CivilDay(2026, 1, 1), absl::UTCTimeZone());
  auto conn = db.Connect();
  std::unique_ptr<sql::Statement> stmt(conn->createStatement());
  for (int start = 0; start < kEvents; start += 1000) {
    std::string sql =
        "INSERT INTO outbox_events (event_type, aggregate_id, payload, created_at) VALUES ";
    for (int i = start; i < start + 1000; ++i) {
      loyalty::v1::PurchaseRecorded event;
      event.set_customer_id(absl::StrFormat("01HCUSTOMER%015d", i % kCustomers));
      event.set_program_id("01HPROGRAM0000000000000000");
      auto* purchase = event.mutable_purchase();
      purchase->set_purchase_id(absl::StrFormat("01HPURCHASE%015d", i));
      purchase->set_total_minor(CentsOf(i));
      purchase->mutable_purchase_time()->set_seconds(
          absl::ToUnixSeconds(first_day + absl::Hours(24) * (i % 300)));
      absl::StrAppend(&sql, i == start ? "" : ",", "('crm.loyalty.v1.PurchaseRecorded', 'm', X'",
                      absl::BytesToHexString(event.SerializeAsString()), "', UTC_TIMESTAMP(6))");
    }
    stmt->execute(sql);
  }
}

std::unique_ptr<testing::Subprocess> FollowingSegment(testing::ServiceProcess& schema_of,
                                                      const std::string& loyalty, int port) {
  return std::make_unique<testing::Subprocess>(
      std::vector<std::string>{testing::BuildPath("services/segment/crm-segment"),
                               absl::StrCat("--listen=127.0.0.1:", port), "--metrics_listen=off",
                               "--db_dsn=" + schema_of.db().AppDsn(),
                               "--db_password_file=" + schema_of.db().app_password_file(),
                               "--loyalty_target=" + loyalty,
                               "--complaints_target=", "--identify_target="},
      absl::StrCat(::testing::TempDir(), "/segment-takeover-", port, ".log"));
}

int64_t Checkpoint(testing::ServiceProcess& segment) {
  const std::string seq =
      segment.db().Query("SELECT last_seq FROM feed_checkpoints WHERE source = 'loyalty'");
  return seq.empty() ? 0 : std::stoll(seq);
}

TEST(FeedFaultTest, AConsumerKilledMidStreamAppliesEveryEventExactlyOnce) {
  testing::ServiceProcess loyalty("loyalty", true, {"--identify_target=127.0.0.1:1"});
  FillOutbox(loyalty.db());
  // The segment schema, migrated, with no process following yet.
  testing::ServiceProcess segment(
      "segment", true, {"--loyalty_target=", "--complaints_target=", "--identify_target="});
  segment.process().Signal(SIGTERM);
  ASSERT_TRUE(segment.process().Wait(absl::Seconds(20)).has_value());

  auto first = FollowingSegment(segment, loyalty.address(), testing::FreePort());
  const absl::Time give_up = absl::Now() + absl::Seconds(60);
  while (Checkpoint(segment) < kEvents / 5 && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  const int64_t at_kill = Checkpoint(segment);
  ASSERT_GE(at_kill, kEvents / 5) << first->Log();
  ASSERT_LT(at_kill, kEvents) << "the stream ended before the kill; nothing was tested";
  first->Signal(SIGKILL);
  ASSERT_TRUE(first->Wait(absl::Seconds(10)).has_value());

  auto second = FollowingSegment(segment, loyalty.address(), testing::FreePort());
  const absl::Time done_by = absl::Now() + absl::Seconds(120);  // the dead lease lasts 30 s
  while (Checkpoint(segment) < kEvents && absl::Now() < done_by) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_EQ(Checkpoint(segment), kEvents) << second->Log();

  int64_t cents = 0;
  for (int i = 0; i < kEvents; ++i) cents += CentsOf(i);
  EXPECT_EQ(segment.db().Query("SELECT SUM(purchases) FROM customer_purchase_days"),
            absl::StrCat(kEvents));
  EXPECT_EQ(segment.db().Query("SELECT SUM(cents) FROM customer_purchase_days"),
            absl::StrCat(cents));
  EXPECT_EQ(segment.db().Query("SELECT COUNT(DISTINCT customer_id) FROM customer_purchase_days"),
            absl::StrCat(kCustomers));
  EXPECT_EQ(
      segment.db().Query("SELECT holder <> '' FROM feed_checkpoints WHERE source = 'loyalty'"),
      "1");
}

}  // namespace
}  // namespace crm
