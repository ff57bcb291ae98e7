#include "common/mysql_errors.h"

#include "absl/strings/str_cat.h"
#include "common/errors.h"

namespace crm {

bool IsConnectionLost(int error_code) {
  switch (error_code) {
    case 2002:  // CR_CONNECTION_ERROR
    case 2003:  // CR_CONN_HOST_ERROR
    case 2006:  // CR_SERVER_GONE_ERROR
    case 2013:  // CR_SERVER_LOST
    case 2055:  // CR_SERVER_LOST_EXTENDED
    case 1053:  // ER_SERVER_SHUTDOWN
    case 1927:  // ER_CONNECTION_KILLED (MariaDB)
    case 4031:  // ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8)
      return true;
    default:
      return false;
  }
}

absl::Status StatusFromMysqlError(int error_code, const char* what) {
  std::string message = absl::StrCat("mysql error ", error_code, ": ", what ? what : "");
  using C = absl::StatusCode;
  switch (error_code) {
    case 1062:
      return Error(C::kAlreadyExists, "DB_DUPLICATE_KEY", message);
    case 1213:
      return Error(C::kAborted, "DB_DEADLOCK", message);
    case 1205:
      return Error(C::kAborted, "DB_LOCK_WAIT_TIMEOUT", message);
    case 1451:
    case 1452:
      return Error(C::kFailedPrecondition, "DB_FOREIGN_KEY", message);
    case 1969:  // ER_STATEMENT_TIMEOUT (MariaDB)
    case 3024:  // ER_QUERY_TIMEOUT (MySQL)
      return Error(C::kDeadlineExceeded, "DB_STATEMENT_TIMEOUT", message);
    case 1040:  // ER_CON_COUNT_ERROR
      return Error(C::kUnavailable, "DB_UNAVAILABLE", message);
    default:
      if (IsConnectionLost(error_code)) {
        return Error(C::kUnavailable, "DB_UNAVAILABLE", message);
      }
      return Error(C::kInternal, "DB_ERROR", message);
  }
}

absl::Status StatusFromSqlException(const sql::SQLException& e) {
  return StatusFromMysqlError(e.getErrorCode(), e.what());
}

bool IsRetryableTransactionError(const absl::Status& status) {
  if (!absl::IsAborted(status)) return false;
  std::string reason = ReasonOf(status);
  return reason == "DB_DEADLOCK" || reason == "DB_LOCK_WAIT_TIMEOUT" ||
         reason == "TRANSACTION_CONFLICT";
}

}  // namespace crm
