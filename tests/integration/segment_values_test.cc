#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "gtest/gtest.h"
#include "services/segment/mysql_segment_store.h"
#include "services/segment/mysql_value_store.h"
#include "services/segment/recompute.h"
#include "tests/support/test_database.h"

namespace crm::segment {
namespace {

class SegmentValuesTest : public ::testing::Test {
 protected:
  SegmentValuesTest() : db_(Migrations()), pool_(db_.AppConfig()), store_(&pool_) {}

  testing::TestDatabase db_;
  MysqlPool pool_;
  MysqlValueStore store_;
  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2026, 11, 23, 12, 0, 0),
                                   absl::UTCTimeZone())};
  IdGenerator ids_{&clock_};
};

TEST_F(SegmentValuesTest, ABatchAppliesOnceAndOnlyUnderTheLease) {
  const absl::Time now = clock_.Now();
  auto checkpoint = store_.AcquireFeed("loyalty", "replica-a", now, now + absl::Seconds(30));
  ASSERT_TRUE(checkpoint.ok());
  EXPECT_EQ(*checkpoint, 0);
  EXPECT_EQ(ReasonOf(store_.AcquireFeed("loyalty", "replica-b", now, now + absl::Seconds(30))
                         .status()),
            "FEED_LEASED");
  const std::vector<DayDelta> batch = {{"C1", absl::CivilDay(2026, 11, 20), 1500, 1},
                                       {"C1", absl::CivilDay(2026, 11, 20), 500, 1}};
  ASSERT_TRUE(store_.ApplyFeedBatch("loyalty", "replica-a", 0, 7, {batch, {}}, now).ok());
  // The same batch again (a retry after a lost answer) moves nothing.
  EXPECT_EQ(ReasonOf(store_.ApplyFeedBatch("loyalty", "replica-a", 0, 7, {batch, {}}, now)),
            "CHECKPOINT_MOVED");
  EXPECT_EQ(db_.Query("SELECT CONCAT(cents, '/', purchases) FROM customer_purchase_days"),
            "2000/2");
  // After the lease runs out another replica takes over from the checkpoint.
  const absl::Time later = now + absl::Seconds(31);
  auto taken = store_.AcquireFeed("loyalty", "replica-b", later, later + absl::Seconds(30));
  ASSERT_TRUE(taken.ok());
  EXPECT_EQ(*taken, 7);
  EXPECT_EQ(ReasonOf(store_.ApplyFeedBatch("loyalty", "replica-a", 7, 9, {batch, {}}, later)),
            "CHECKPOINT_MOVED");  // the old holder can no longer write
  EXPECT_EQ(db_.Count("customer_purchase_days"), 1);
}

TEST_F(SegmentValuesTest, RecomputeScoresEveryCustomerAndSummarisesThePyramid) {
  const absl::Time now = clock_.Now();
  ASSERT_TRUE(store_.AcquireFeed("loyalty", "r", now, now + absl::Hours(1)).ok());
  std::vector<DayDelta> days;
  for (int c = 0; c < 40; ++c) {
    for (int d = 0; d <= c % 8; ++d) {
      days.push_back({absl::StrCat("01J000000000000000000000", c < 10 ? "0" : "", c),
                      absl::CivilDay(2026, 6, 1) + 9 * d + c, 1000 + 100 * c, 1});
    }
  }
  ASSERT_TRUE(store_.ApplyFeedBatch("loyalty", "r", 0, 1, {days, {}}, now).ok());
  Recomputer recomputer(&store_, &clock_, &ids_);
  auto job = recomputer.RunNow(absl::CivilDay(2026, 11, 23));
  ASSERT_TRUE(job.ok()) << job.status();
  EXPECT_EQ(job->state(), v1::RecomputeJob::STATE_SUCCEEDED) << job->error();
  EXPECT_EQ(job->customers_total(), 40);
  EXPECT_EQ(job->customers_written(), 40);
  double share = 0;
  int64_t customers = 0;
  for (const auto& tier : job->pyramid()) {
    share += tier.value_share();
    customers += tier.customers();
  }
  EXPECT_EQ(customers, 40);
  EXPECT_NEAR(share, 1.0, 1e-9);
  auto value = store_.GetValue("01J00000000000000000000039");
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_EQ(value->frequency(), 8);
  EXPECT_EQ(value->m(), 5);
  EXPECT_EQ(value->rfm_cell(), absl::StrCat(value->r(), value->f(), value->m()));
  EXPECT_EQ(value->job_id(), job->job_id());
  EXPECT_TRUE(value->has_predicted_clv()) << job->model_note();
  EXPECT_EQ(ReasonOf(store_.GetValue("01J000000000000000000000ZZ").status()),
            "VALUE_NOT_COMPUTED");
  // Complaint counters follow complaints' feed and show live.
  ASSERT_TRUE(store_.AcquireFeed("complaints", "r", now, now + absl::Hours(1)).ok());
  FeedEffects complaints;
  const std::string who = "01J00000000000000000000039";
  complaints.complaints = {{who, 1, 0, 0, absl::CivilDay(2026, 11, 1), 0},
                           {who, 1, 0, 0, absl::CivilDay(2026, 11, 9), 0},
                           {who, 0, 1, 0, std::nullopt, 0},
                           {who, 0, 0, 0, std::nullopt, 4}};
  ASSERT_TRUE(store_.ApplyFeedBatch("complaints", "r", 0, 4, complaints, now).ok());
  value = store_.GetValue("01J00000000000000000000039");
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(value->complaints_filed(), 2);
  EXPECT_EQ(value->complaints_open(), 1);
  EXPECT_DOUBLE_EQ(value->complaint_satisfaction(), 4.0);
  EXPECT_EQ(db_.Query("SELECT last_filed FROM customer_complaints"), "2026-11-09");
  auto stored = store_.GetJob(job->job_id());
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->state(), v1::RecomputeJob::STATE_SUCCEEDED);
  // A second job may start once the first is done.
  EXPECT_TRUE(recomputer.RunNow(absl::CivilDay(2026, 11, 23)).ok());
}

TEST_F(SegmentValuesTest, OneRecomputeAtATime) {
  v1::RecomputeJob running;
  running.set_job_id(ids_.Next());
  running.set_state(v1::RecomputeJob::STATE_RUNNING);
  ASSERT_TRUE(store_.StartJob(running).ok());
  Recomputer recomputer(&store_, &clock_, &ids_);
  const absl::Status refused = recomputer.Start(absl::CivilDay(2026, 11, 23)).status();
  EXPECT_EQ(ReasonOf(refused), "RECOMPUTE_RUNNING");
  EXPECT_EQ(MetadataOf(refused)["job_id"], running.job_id());
}

}  // namespace
}  // namespace crm::segment
