#ifndef CRM_COMMON_MYSQL_POOL_H_
#define CRM_COMMON_MYSQL_POOL_H_

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db_config.h"
#include "cppconn/connection.h"

namespace prometheus {
class Registry;
class Gauge;
class Counter;
class Histogram;
}  // namespace prometheus

namespace crm {

// A bounded pool of MySQL Connector/C++ connections to one schema.
//
// At most `pool_size` connections exist; Acquire() waits up to
// `acquire_timeout` for one and otherwise fails with UNAVAILABLE. A
// connection idle for longer than `validate_after_idle` is pinged before use
// and replaced when dead, so the pool recovers by itself after the database
// restarts. Every connection runs in UTC with strict SQL mode and utf8mb4.
// Thread-safe; a Lease is used by one thread at a time.
class MysqlPool {
 public:
  // A connection on loan; returned to the pool (or closed, when broken) on
  // destruction.
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    ~Lease();

    sql::Connection& operator*() const { return *conn_; }
    sql::Connection* operator->() const { return conn_.get(); }
    // The connection is not returned to the pool (lost, or left mid-state).
    void MarkBroken() { broken_ = true; }

   private:
    friend class MysqlPool;
    Lease(MysqlPool* pool, std::unique_ptr<sql::Connection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    MysqlPool* pool_;
    std::unique_ptr<sql::Connection> conn_;
    bool broken_ = false;
  };

  // `registry` (optional) receives crm_db_pool_* metrics.
  explicit MysqlPool(DbConfig config, prometheus::Registry* registry = nullptr);
  ~MysqlPool();
  MysqlPool(const MysqlPool&) = delete;
  MysqlPool& operator=(const MysqlPool&) = delete;

  absl::StatusOr<Lease> Acquire();

  // Round trip to the database on a pooled connection.
  absl::Status Ping();

  const DbConfig& config() const { return config_; }

 private:
  struct Idle {
    std::unique_ptr<sql::Connection> conn;
    absl::Time since;
  };
  absl::StatusOr<std::unique_ptr<sql::Connection>> Connect();
  void Return(std::unique_ptr<sql::Connection> conn, bool broken);
  // Drops the connection's statement cache, then closes it.
  static void Close(std::unique_ptr<sql::Connection> conn);

  const DbConfig config_;
  std::mutex mu_;
  std::condition_variable available_;
  std::vector<Idle> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;  // idle + leased + being opened
  // After a connection is found broken, every idle connection older than
  // this is validated before use: they likely died together.
  absl::Time suspect_before_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();

  prometheus::Gauge* in_use_ = nullptr;
  prometheus::Gauge* waiting_ = nullptr;
  prometheus::Gauge* open_gauge_ = nullptr;
  prometheus::Histogram* wait_seconds_ = nullptr;
  prometheus::Counter* connects_ = nullptr;
  prometheus::Counter* connect_failures_ = nullptr;
  prometheus::Counter* discarded_ = nullptr;
};

}  // namespace crm

#endif  // CRM_COMMON_MYSQL_POOL_H_
