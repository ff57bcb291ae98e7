#include "common/transaction.h"

#include <memory>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/mysql_errors.h"
#include "cppconn/exception.h"
#include "cppconn/statement.h"

namespace crm {
namespace {

void Execute(sql::Connection& conn, const char* sql) {
  std::unique_ptr<sql::Statement> stmt(conn.createStatement());
  stmt->execute(sql);
}

absl::Duration Backoff(const TransactionOptions& options, int attempt) {
  thread_local std::mt19937 rng(std::random_device{}());
  absl::Duration cap = options.initial_backoff * (1 << std::min(attempt, 16));
  cap = std::min(cap, options.max_backoff);
  std::uniform_int_distribution<int64_t> jitter(0, absl::ToInt64Microseconds(cap));
  return absl::Microseconds(jitter(rng));  // "full jitter"
}

enum class Stage { kBegin, kBody, kCommit };

// One attempt; `stage` tells how far it got when it failed.
absl::Status Attempt(MysqlPool::Lease& lease,
                     absl::FunctionRef<absl::Status(sql::Connection&)> body,
                     const TransactionOptions& options, Stage& stage) {
  stage = Stage::kBegin;
  absl::Status status;
  try {
    if (options.read_committed) {
      Execute(*lease, "SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
    }
    Execute(*lease, "START TRANSACTION");
    stage = Stage::kBody;
    status = body(*lease);
    if (status.ok()) {
      stage = Stage::kCommit;
      Execute(*lease, "COMMIT");
      return absl::OkStatus();
    }
  } catch (const sql::SQLException& e) {
    status = StatusFromSqlException(e);
    if (IsConnectionLost(e.getErrorCode())) {
      lease.MarkBroken();
      return status;
    }
  } catch (const std::exception& e) {
    // Never hand back a connection with a transaction left open.
    lease.MarkBroken();
    return absl::InternalError(absl::StrCat("transaction body threw: ", e.what()));
  }
  try {
    Execute(*lease, "ROLLBACK");
  } catch (const sql::SQLException&) {
    lease.MarkBroken();  // unknown state: never hand it out again
  }
  return status;
}

}  // namespace

absl::Status RunInTransaction(MysqlPool& pool,
                              absl::FunctionRef<absl::Status(sql::Connection&)> body,
                              const TransactionOptions& options) {
  absl::Status status;
  bool reconnected = false;
  const int max_attempts = std::max(1, options.max_attempts);
  for (int attempt = 0; attempt < max_attempts; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(absl::ToChronoMicroseconds(Backoff(options, attempt)));
    auto lease = pool.Acquire();
    if (!lease.ok()) return lease.status();
    Stage stage;
    status = Attempt(*lease, body, options, stage);
    if (status.ok()) return status;
    if (absl::IsUnavailable(status) && stage == Stage::kBegin && !reconnected) {
      reconnected = true;  // a stale pooled connection; nothing was sent yet
      --attempt;
      continue;
    }
    if (!IsRetryableTransactionError(status)) return status;
  }
  log::Warn("transaction gave up after retries",
            {{"attempts", int64_t{max_attempts}}, {"status", Describe(status)}});
  return status;
}

absl::Status RunWithConnection(MysqlPool& pool,
                               absl::FunctionRef<absl::Status(sql::Connection&)> body) {
  for (int attempt = 0;; ++attempt) {
    auto lease = pool.Acquire();
    if (!lease.ok()) return lease.status();
    try {
      return body(**lease);
    } catch (const std::exception& e) {
      const auto* sql_error = dynamic_cast<const sql::SQLException*>(&e);
      if (sql_error == nullptr) {
        lease->MarkBroken();
        return absl::InternalError(absl::StrCat("database work threw: ", e.what()));
      }
      absl::Status status = StatusFromSqlException(*sql_error);
      if (!IsConnectionLost(sql_error->getErrorCode())) return status;
      lease->MarkBroken();
      // Reads are idempotent: one more try on a fresh connection.
      if (attempt > 0) return status;
    }
  }
}

}  // namespace crm
