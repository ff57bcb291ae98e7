#include <cstdlib>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/mysql_pool.h"
#include "common/transaction.h"
#include "cppconn/statement.h"
#include "gtest/gtest.h"
#include "tests/support/subprocess.h"
#include "tests/support/test_database.h"

namespace crm {
namespace {

using testing::TestDatabase;

TEST(MysqlPoolTest, IsBoundedAndTimesOutWithUnavailable) {
  TestDatabase db;
  DbConfig config = db.AppConfig();
  config.pool_size = 2;
  config.acquire_timeout = absl::Milliseconds(200);
  MysqlPool pool(config);
  auto a = pool.Acquire();
  auto b = pool.Acquire();
  ASSERT_TRUE(a.ok() && b.ok());
  const absl::Time start = absl::Now();
  auto c = pool.Acquire();
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(190));
  EXPECT_EQ(c.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ReasonOf(c.status()), "DB_POOL_EXHAUSTED");
  { auto released = std::move(*a); }
  EXPECT_TRUE(pool.Acquire().ok());
}

TEST(MysqlPoolTest, WaiterGetsTheConnectionAnotherReturns) {
  TestDatabase db;
  DbConfig config = db.AppConfig();
  config.pool_size = 1;
  MysqlPool pool(config);
  auto held = pool.Acquire();
  ASSERT_TRUE(held.ok());
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto gone = std::move(*held);
  });
  EXPECT_TRUE(pool.Acquire().ok());
  releaser.join();
}

TEST(MysqlPoolTest, WrongPasswordIsUnavailable) {
  TestDatabase db;
  DbConfig config = db.AppConfig();
  config.password = "wrong";
  MysqlPool pool(config);
  absl::Status s = pool.Ping();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ReasonOf(s), "DB_UNAVAILABLE");
  EXPECT_EQ(std::string(s.message()).find("wrong"), std::string::npos);
}

TEST(MysqlPoolTest, SessionsRunInUtcWithStrictMode) {
  TestDatabase db;
  MysqlPool pool(db.AppConfig());
  auto lease = pool.Acquire();
  ASSERT_TRUE(lease.ok());
  std::unique_ptr<sql::Statement> stmt((*lease)->createStatement());
  std::unique_ptr<sql::ResultSet> rs(
      stmt->executeQuery("SELECT @@session.time_zone, @@session.sql_mode"));
  ASSERT_TRUE(rs->next());
  EXPECT_EQ(rs->getString(1), "+00:00");
  EXPECT_NE(std::string(rs->getString(2)).find("STRICT_ALL_TABLES"), std::string::npos);
}

TEST(MysqlPoolTest, AStatementLongerThanTheQueryTimeoutIsCutOff) {
  TestDatabase db;
  DbConfig config = db.AppConfig();
  config.query_timeout = absl::Seconds(1);
  MysqlPool pool(config);
  const absl::Time start = absl::Now();
  absl::Status s = RunWithConnection(pool, [](sql::Connection& conn) -> absl::Status {
    std::unique_ptr<sql::Statement> stmt(conn.createStatement());
    std::unique_ptr<sql::ResultSet> rs(stmt->executeQuery(
        "SELECT COUNT(*) FROM information_schema.columns a, information_schema.columns b, "
        "information_schema.columns c"));
    return absl::OkStatus();
  });
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded) << s;
  EXPECT_EQ(ReasonOf(s), "DB_STATEMENT_TIMEOUT");
  EXPECT_TRUE(pool.Ping().ok());  // the connection stays usable
}

// A private MariaDB this test may stop and start (the shared one must stay up).
class PrivateMariaDb {
 public:
  PrivateMariaDb()
      : dir_(absl::StrCat(::testing::TempDir(), "/restart-db-", getpid())),
        port_(testing::FreePort()) {
    Run("mariadb_start");
    Run("", absl::StrCat("mariadb_sql ", dir_, " -e \"CREATE DATABASE IF NOT EXISTS r\""));
  }
  ~PrivateMariaDb() {
    Run("mariadb_stop");
    std::system(absl::StrCat("rm -rf ", dir_).c_str());
  }
  void Start() { Run("mariadb_start"); }
  void Stop() { Run("mariadb_stop"); }
  DbConfig Config() const {
    DbConfig c;
    c.socket = dir_ + "/mysqld.sock";
    c.user = "root";
    c.schema = "r";
    c.pool_size = 3;
    c.validate_after_idle = absl::Hours(1);  // prove recovery does not rely on idle pings
    return c;
  }

 private:
  void Run(const std::string& fn, std::string command = "") {
    if (command.empty()) command = absl::StrCat(fn, " ", dir_, " ", port_);
    std::string script = absl::StrCat("bash -c 'source ", CRM_SOURCE_DIR, "/tools/mariadb.sh && ",
                                      command, "'");
    ASSERT_EQ(std::system(script.c_str()), 0) << script;
  }
  std::string dir_;
  int port_;
};

TEST(MysqlPoolTest, RecoversAfterTheDatabaseRestarts) {
  PrivateMariaDb server;
  MysqlPool pool(server.Config());
  {  // fill the pool with idle connections that are about to die
    auto a = pool.Acquire(), b = pool.Acquire(), c = pool.Acquire();
    ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  }
  server.Stop();
  absl::Status down = pool.Ping();
  EXPECT_EQ(down.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ReasonOf(down), "DB_UNAVAILABLE");
  server.Start();
  // The first transaction after the restart already succeeds: the dead idle
  // connections are detected and replaced.
  absl::Status tx = RunInTransaction(pool, [](sql::Connection& conn) -> absl::Status {
    std::unique_ptr<sql::Statement> stmt(conn.createStatement());
    stmt->execute("CREATE TABLE IF NOT EXISTS t (x INT)");
    return absl::OkStatus();
  });
  EXPECT_TRUE(tx.ok()) << tx;
  EXPECT_TRUE(pool.Ping().ok());
}

}  // namespace
}  // namespace crm
