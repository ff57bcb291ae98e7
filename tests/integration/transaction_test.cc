#include "common/transaction.h"

#include <atomic>
#include <barrier>
#include <thread>

#include "common/errors.h"
#include "common/sql_util.h"
#include "cppconn/statement.h"
#include "gtest/gtest.h"
#include "tests/support/test_database.h"

namespace crm {
namespace {

using testing::TestDatabase;

class TransactionTest : public ::testing::Test {
 protected:
  TransactionTest()
      : db_(std::vector<MigrationFile>{
            {"V0001__t.sql",
             "CREATE TABLE counters (id INT PRIMARY KEY, n INT NOT NULL);"
             "INSERT INTO counters VALUES (1, 0), (2, 0);"}}),
        pool_(db_.AppConfig()) {}

  static void Add(sql::Connection& conn, int id) {
    auto stmt = Prepare(conn, "UPDATE counters SET n = n + 1 WHERE id = ?");
    stmt->setInt(1, id);
    stmt->executeUpdate();
  }

  TestDatabase db_;
  MysqlPool pool_;
};

TEST_F(TransactionTest, CommitsOnOkAndRollsBackOnError) {
  EXPECT_TRUE(RunInTransaction(pool_, [](sql::Connection& c) {
                Add(c, 1);
                return absl::OkStatus();
              }).ok());
  absl::Status s = RunInTransaction(pool_, [](sql::Connection& c) {
    Add(c, 1);
    return Error(absl::StatusCode::kFailedPrecondition, "NOPE", "refused");
  });
  EXPECT_EQ(ReasonOf(s), "NOPE");
  EXPECT_EQ(db_.Query("SELECT n FROM counters WHERE id = 1"), "1");
}

TEST_F(TransactionTest, RetriesTheVictimOfADeadlock) {
  std::barrier both_hold_a_lock(2);
  std::atomic<int> attempts{0};
  auto crosswise = [&](int first, int second) {
    return RunInTransaction(pool_, [&, first, second](sql::Connection& c) {
      int attempt = attempts.fetch_add(1);
      Add(c, first);
      if (attempt < 2) both_hold_a_lock.arrive_and_wait();  // only the first round
      Add(c, second);
      return absl::OkStatus();
    });
  };
  absl::Status a, b;
  std::thread ta([&] { a = crosswise(1, 2); });
  std::thread tb([&] { b = crosswise(2, 1); });
  ta.join();
  tb.join();
  EXPECT_TRUE(a.ok()) << a;
  EXPECT_TRUE(b.ok()) << b;
  EXPECT_EQ(attempts.load(), 3);  // one of them ran twice
  EXPECT_EQ(db_.Query("SELECT SUM(n) FROM counters"), "4");
}

TEST_F(TransactionTest, GivesUpAfterMaxAttempts) {
  int calls = 0;
  TransactionOptions options;
  options.max_attempts = 3;
  options.initial_backoff = absl::Milliseconds(1);
  absl::Status s = RunInTransaction(
      pool_,
      [&](sql::Connection& c) {
        ++calls;
        Add(c, 2);
        return Error(absl::StatusCode::kAborted, "TRANSACTION_CONFLICT", "again");
      },
      options);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(db_.Query("SELECT n FROM counters WHERE id = 2"), "0");
}

TEST_F(TransactionTest, DoesNotRetryOtherErrorsAndMapsExceptions) {
  int calls = 0;
  absl::Status s = RunInTransaction(pool_, [&](sql::Connection& c) {
    ++calls;
    auto stmt = Prepare(c, "INSERT INTO counters VALUES (1, 5)");
    stmt->executeUpdate();
    return absl::OkStatus();
  });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ReasonOf(s), "DB_DUPLICATE_KEY");
}

TEST_F(TransactionTest, AThrowingBodyRollsBackAndNeverReusesTheConnection) {
  absl::Status s = RunInTransaction(pool_, [](sql::Connection& c) -> absl::Status {
    Add(c, 1);
    throw std::runtime_error("bug in the body");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(RunInTransaction(pool_, [](sql::Connection& c) {
                Add(c, 2);
                return absl::OkStatus();
              }).ok());
  EXPECT_EQ(db_.Query("SELECT n FROM counters WHERE id = 1"), "0");
  EXPECT_EQ(db_.Query("SELECT n FROM counters WHERE id = 2"), "1");
}

TEST_F(TransactionTest, ReturnsAValue) {
  auto n = RunInTransaction<int>(pool_, [](sql::Connection& c) -> absl::StatusOr<int> {
    Add(c, 1);
    return 7;
  });
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 7);
}

}  // namespace
}  // namespace crm
