#include "common/mysql_pool.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/mysql_errors.h"
#include "common/statement_cache.h"
#include "cppconn/driver.h"
#include "cppconn/exception.h"
#include "cppconn/resultset.h"
#include "cppconn/statement.h"
#include "mysql_driver.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace crm {
namespace {

sql::Driver* Driver() {
  // The first call initialises the client library; do it once, thread-safely.
  static sql::Driver* driver = sql::mysql::get_mysql_driver_instance();
  return driver;
}

int WholeSeconds(absl::Duration d) {
  return static_cast<int>(std::max<int64_t>(1, absl::ToInt64Seconds(d)));
}

void ConfigureSession(sql::Connection& conn, absl::Duration query_timeout) {
  std::unique_ptr<sql::Statement> stmt(conn.createStatement());
  stmt->execute("SET SESSION time_zone = '+00:00'");
  stmt->execute(
      "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,"
      "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'");
  try {
    stmt->execute(absl::StrCat("SET SESSION max_statement_time = ",
                               absl::ToDoubleSeconds(query_timeout)));  // MariaDB
  } catch (const sql::SQLException&) {
    stmt->execute(absl::StrCat("SET SESSION max_execution_time = ",
                               absl::ToInt64Milliseconds(query_timeout)));  // MySQL 8
  }
}

}  // namespace

MysqlPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), conn_(std::move(other.conn_)), broken_(other.broken_) {}

MysqlPool::Lease::~Lease() {
  if (conn_) pool_->Return(std::move(conn_), broken_);
}

MysqlPool::MysqlPool(DbConfig config, prometheus::Registry* registry)
    : config_(std::move(config)) {
  Driver();
  if (registry == nullptr) return;
  using prometheus::BuildCounter;
  using prometheus::BuildGauge;
  in_use_ = &BuildGauge().Name("crm_db_pool_connections_in_use")
                 .Help("Connections currently leased").Register(*registry).Add({});
  open_gauge_ = &BuildGauge().Name("crm_db_pool_connections_open")
                     .Help("Connections open (idle and leased)").Register(*registry).Add({});
  waiting_ = &BuildGauge().Name("crm_db_pool_waiters")
                  .Help("Callers waiting for a connection").Register(*registry).Add({});
  wait_seconds_ = &prometheus::BuildHistogram().Name("crm_db_pool_wait_seconds")
                       .Help("Time spent waiting for a connection").Register(*registry)
                       .Add({}, prometheus::Histogram::BucketBoundaries{
                                    0.0001, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5});
  connects_ = &BuildCounter().Name("crm_db_pool_connects_total")
                   .Help("Connections opened").Register(*registry).Add({});
  connect_failures_ = &BuildCounter().Name("crm_db_pool_connect_failures_total")
                           .Help("Failed attempts to open a connection")
                           .Register(*registry).Add({});
  discarded_ = &BuildCounter().Name("crm_db_pool_discarded_total")
                    .Help("Connections closed because they were broken or dead")
                    .Register(*registry).Add({});
  open_gauge_->Set(0);
}

MysqlPool::~MysqlPool() {
  std::lock_guard lock(mu_);
  for (Idle& idle : idle_) Close(std::move(idle.conn));
  idle_.clear();
}

void MysqlPool::Close(std::unique_ptr<sql::Connection> conn) {
  StatementCache::Detach(conn.get());
  try {
    conn->close();
  } catch (const sql::SQLException&) {
  }
}

absl::StatusOr<std::unique_ptr<sql::Connection>> MysqlPool::Connect() {
  sql::ConnectOptionsMap opts;
  opts["userName"] = config_.user;
  opts["password"] = config_.password;
  opts["schema"] = config_.schema;
  if (!config_.socket.empty()) {
    opts["hostName"] = std::string("localhost");
    opts["socket"] = config_.socket;
  } else {
    opts["hostName"] = config_.host;
    opts["port"] = config_.port;
  }
  opts["OPT_CONNECT_TIMEOUT"] = WholeSeconds(config_.connect_timeout);
  // The server's statement timeout fires first and leaves the connection
  // usable; the socket timeouts are the backstop for a server that hangs.
  const int socket_timeout = WholeSeconds(config_.query_timeout + absl::Seconds(5));
  opts["OPT_READ_TIMEOUT"] = socket_timeout;
  opts["OPT_WRITE_TIMEOUT"] = socket_timeout;
  opts["OPT_RECONNECT"] = false;  // a silent reconnect would lose session state
  opts["OPT_CHARSET_NAME"] = std::string("utf8mb4");
  opts["CLIENT_MULTI_STATEMENTS"] = false;
  try {
    std::unique_ptr<sql::Connection> conn(Driver()->connect(opts));
    ConfigureSession(*conn, config_.query_timeout);
    StatementCache::Attach(conn.get());
    if (connects_) connects_->Increment();
    return conn;
  } catch (const sql::SQLException& e) {
    if (connect_failures_) connect_failures_->Increment();
    absl::Status s = StatusFromSqlException(e);
    // Whatever the cause (down, refused, bad credentials), the caller can do
    // nothing but wait: report it as the database being unavailable.
    return Error(absl::StatusCode::kUnavailable, "DB_UNAVAILABLE",
                 absl::StrCat("cannot connect to ", config_.Describe(), ": ", s.message()));
  }
}

absl::StatusOr<MysqlPool::Lease> MysqlPool::Acquire() {
  const absl::Time start = absl::Now();
  const absl::Time deadline = start + config_.acquire_timeout;
  std::unique_lock lock(mu_);
  if (waiting_) waiting_->Increment();
  bool got = available_.wait_until(lock, absl::ToChronoTime(deadline), [&] {
    return !idle_.empty() || open_ < config_.pool_size;
  });
  if (waiting_) waiting_->Decrement();
  if (wait_seconds_) wait_seconds_->Observe(absl::ToDoubleSeconds(absl::Now() - start));
  if (!got) {
    return Error(absl::StatusCode::kUnavailable, "DB_POOL_EXHAUSTED",
                 absl::StrCat("no database connection free within ",
                              absl::FormatDuration(config_.acquire_timeout)));
  }
  std::unique_ptr<sql::Connection> conn;
  bool validate = false;
  if (!idle_.empty()) {
    conn = std::move(idle_.back().conn);  // most recently used: likely alive
    absl::Time since = idle_.back().since;
    validate = absl::Now() - since > config_.validate_after_idle || since <= suspect_before_;
    idle_.pop_back();
  }
  if (!conn) ++open_;  // a slot reserved now; Return() or a failed connect gives it back
  if (in_use_) in_use_->Increment();
  lock.unlock();

  if (conn && validate) {
    bool alive = false;
    try {
      alive = conn->isValid();
    } catch (const sql::SQLException&) {
    }
    if (!alive) {
      if (discarded_) discarded_->Increment();
      Close(std::move(conn));
    }
  }
  if (!conn) {
    auto fresh = Connect();
    if (!fresh.ok()) {
      Return(nullptr, true);
      return fresh.status();
    }
    conn = std::move(*fresh);
  }
  if (open_gauge_) {
    std::lock_guard relock(mu_);
    open_gauge_->Set(open_);
  }
  return Lease(this, std::move(conn));
}

void MysqlPool::Return(std::unique_ptr<sql::Connection> conn, bool broken) {
  if (conn && broken && discarded_) discarded_->Increment();
  if (conn && broken) Close(std::move(conn));
  {
    std::lock_guard lock(mu_);
    if (broken) suspect_before_ = absl::Now();
    if (conn) {
      idle_.push_back({std::move(conn), absl::Now()});
    } else {
      --open_;
    }
    if (in_use_) in_use_->Decrement();
    if (open_gauge_) open_gauge_->Set(open_);
  }
  available_.notify_one();
}

absl::Status MysqlPool::Ping() {
  auto lease = Acquire();
  if (!lease.ok()) return lease.status();
  try {
    std::unique_ptr<sql::Statement> stmt((*lease)->createStatement());
    std::unique_ptr<sql::ResultSet> rs(stmt->executeQuery("SELECT 1"));
    return absl::OkStatus();
  } catch (const sql::SQLException& e) {
    lease->MarkBroken();
    return StatusFromSqlException(e);
  }
}

}  // namespace crm
