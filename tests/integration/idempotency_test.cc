#include "common/idempotency.h"

#include <set>
#include <thread>

#include "common/errors.h"
#include "gtest/gtest.h"
#include "services/identify/identify_service.h"
#include "services/identify/mysql_identify_store.h"
#include "tests/support/test_database.h"

namespace crm {
namespace {

using testing::TestDatabase;

class IdempotencyTest : public ::testing::Test {
 protected:
  IdempotencyTest()
      : db_(identify::Migrations()), pool_(db_.AppConfig()), store_(&pool_, &clock_, &key_),
        service_(&store_, &clock_, &ids_, {}) {}

  static identify::v1::CreateCustomerRequest Request(const std::string& request_id,
                                                     const std::string& name) {
    identify::v1::CreateCustomerRequest r;
    r.set_request_id(request_id);
    r.mutable_customer()->set_kind(identify::v1::CUSTOMER_KIND_PERSON);
    r.mutable_customer()->set_category(identify::v1::CUSTOMER_CATEGORY_CONSUMER);
    r.mutable_customer()->set_display_name(name);
    return r;
  }

  TestDatabase db_;
  MysqlPool pool_;
  FakeClock clock_{absl::FromUnixSeconds(1'800'000'000)};
  IdGenerator ids_{&clock_};
  DataKey key_ = testing::TestDataKey();
  identify::MysqlIdentifyStore store_;
  identify::IdentifyService service_;
};

TEST_F(IdempotencyTest, ARetryReturnsTheFirstResponseAndChangesNothing) {
  auto first = service_.CreateCustomer(Request("req-1", "Li Lei"));
  ASSERT_TRUE(first.ok()) << first.status();
  clock_.Advance(absl::Minutes(5));
  auto retry = service_.CreateCustomer(Request("req-1", "Li Lei"));
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->SerializeAsString(), first->SerializeAsString());
  EXPECT_EQ(db_.Query("SELECT COUNT(*) FROM customers"), "1");
}

TEST_F(IdempotencyTest, AReusedRequestIdForAnotherRequestIsRefused) {
  ASSERT_TRUE(service_.CreateCustomer(Request("req-1", "Li Lei")).ok());
  auto other = service_.CreateCustomer(Request("req-1", "Han Meimei"));
  EXPECT_EQ(other.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(other.status()), "IDEMPOTENCY_KEY_REUSED");
  EXPECT_EQ(db_.Query("SELECT COUNT(*) FROM customers"), "1");
}

TEST_F(IdempotencyTest, RequestIdsAreCaseSensitive) {
  ASSERT_TRUE(service_.CreateCustomer(Request("ab", "Li Lei")).ok());
  ASSERT_TRUE(service_.CreateCustomer(Request("AB", "Han Meimei")).ok());
  EXPECT_EQ(db_.Query("SELECT COUNT(*) FROM customers"), "2");
}

TEST_F(IdempotencyTest, WithoutRequestIdEveryCallCreates) {
  ASSERT_TRUE(service_.CreateCustomer(Request("", "Li Lei")).ok());
  ASSERT_TRUE(service_.CreateCustomer(Request("", "Li Lei")).ok());
  EXPECT_EQ(db_.Query("SELECT COUNT(*) FROM customers"), "2");
  EXPECT_EQ(db_.Query("SELECT COUNT(*) FROM idempotency_keys"), "0");
}

TEST_F(IdempotencyTest, ConcurrentTwinsProduceOneCustomer) {
  constexpr int kTwins = 8;
  std::vector<std::string> ids(kTwins);
  std::vector<std::thread> threads;
  for (int i = 0; i < kTwins; ++i) {
    threads.emplace_back([&, i] {
      auto r = service_.CreateCustomer(Request("same", "Li Lei"));
      ASSERT_TRUE(r.ok()) << r.status();
      ids[i] = r->customer().customer_id();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 1u);
  EXPECT_EQ(db_.Query("SELECT COUNT(*) FROM customers"), "1");
}

TEST_F(IdempotencyTest, AFailedChangeLeavesNoKeyBehind) {
  RequestKey key{"Test", "k1", "f"};
  auto failed = RunIdempotent<identify::v1::Customer>(
      pool_, clock_, key, [](sql::Connection&) -> absl::StatusOr<identify::v1::Customer> {
        return Error(absl::StatusCode::kFailedPrecondition, "NOT_NOW", "later");
      });
  EXPECT_EQ(ReasonOf(failed.status()), "NOT_NOW");
  EXPECT_EQ(db_.Query("SELECT COUNT(*) FROM idempotency_keys"), "0");
  auto later = RunIdempotent<identify::v1::Customer>(
      pool_, clock_, key, [](sql::Connection&) -> absl::StatusOr<identify::v1::Customer> {
        identify::v1::Customer c;
        c.set_display_name("ok");
        return c;
      });
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->display_name(), "ok");
}

}  // namespace
}  // namespace crm
