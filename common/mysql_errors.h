#ifndef CRM_COMMON_MYSQL_ERRORS_H_
#define CRM_COMMON_MYSQL_ERRORS_H_

#include "absl/status/status.h"
#include "cppconn/exception.h"

namespace crm {

// The one mapping from a MySQL/MariaDB error to absl::Status, with a reason:
//   1062 duplicate key           -> ALREADY_EXISTS      DB_DUPLICATE_KEY
//   1213 deadlock                -> ABORTED             DB_DEADLOCK
//   1205 lock wait timeout       -> ABORTED             DB_LOCK_WAIT_TIMEOUT
//   1451/1452 foreign key        -> FAILED_PRECONDITION DB_FOREIGN_KEY
//   1969/3024 statement timeout  -> DEADLINE_EXCEEDED   DB_STATEMENT_TIMEOUT
//   2002/2003/2006/2013/2055, 1040, 1053, 1927, 4031
//                                -> UNAVAILABLE         DB_UNAVAILABLE
//   anything else                -> INTERNAL            DB_ERROR
absl::Status StatusFromMysqlError(int error_code, const char* what);
absl::Status StatusFromSqlException(const sql::SQLException& e);

// True when the connection that raised `error_code` can no longer be used.
bool IsConnectionLost(int error_code);

// True for errors after which the whole transaction may simply be retried.
bool IsRetryableTransactionError(const absl::Status& status);

}  // namespace crm

#endif  // CRM_COMMON_MYSQL_ERRORS_H_
