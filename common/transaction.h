#ifndef CRM_COMMON_TRANSACTION_H_
#define CRM_COMMON_TRANSACTION_H_

#include <optional>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/mysql_pool.h"

namespace crm {

struct TransactionOptions {
  // Attempts in all, counting the first.
  int max_attempts = 5;
  absl::Duration initial_backoff = absl::Milliseconds(5);
  absl::Duration max_backoff = absl::Milliseconds(500);
  bool read_committed = false;  // default is InnoDB's REPEATABLE READ
};

// Runs `body` inside one transaction on a pooled connection and commits when
// it returns OK; anything else rolls back. A deadlock (1213), lock-wait
// timeout (1205) or a body's ABORTED/TRANSACTION_CONFLICT reruns the whole
// body after a jittered exponential backoff, so `body` must have no effects
// outside the transaction. sql::SQLException thrown by `body` is mapped with
// StatusFromSqlException. Lost connections mark the lease broken and fail
// with UNAVAILABLE (retried only when nothing had been sent yet).
absl::Status RunInTransaction(MysqlPool& pool,
                              absl::FunctionRef<absl::Status(sql::Connection&)> body,
                              const TransactionOptions& options = {});

// The same, for a body that produces a value.
template <typename T>
absl::StatusOr<T> RunInTransaction(
    MysqlPool& pool, absl::FunctionRef<absl::StatusOr<T>(sql::Connection&)> body,
    const TransactionOptions& options = {}) {
  std::optional<T> result;
  absl::Status status = RunInTransaction(
      pool,
      [&](sql::Connection& conn) -> absl::Status {
        absl::StatusOr<T> r = body(conn);
        if (!r.ok()) return r.status();
        result = *std::move(r);
        return absl::OkStatus();
      },
      options);
  if (!status.ok()) return status;
  return *std::move(result);
}

// Runs one statement-level unit of work outside an explicit transaction
// (autocommit), with the same error mapping; for reads.
absl::Status RunWithConnection(MysqlPool& pool,
                               absl::FunctionRef<absl::Status(sql::Connection&)> body);

template <typename T>
absl::StatusOr<T> RunWithConnection(
    MysqlPool& pool, absl::FunctionRef<absl::StatusOr<T>(sql::Connection&)> body) {
  std::optional<T> result;
  absl::Status status = RunWithConnection(pool, [&](sql::Connection& conn) -> absl::Status {
    absl::StatusOr<T> r = body(conn);
    if (!r.ok()) return r.status();
    result = *std::move(r);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return *std::move(result);
}

}  // namespace crm

#endif  // CRM_COMMON_TRANSACTION_H_
