#ifndef CRM_COMMON_SQL_UTIL_H_
#define CRM_COMMON_SQL_UTIL_H_

#include "absl/strings/string_view.h"
#include <memory>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "cppconn/connection.h"
#include "cppconn/prepared_statement.h"
#include "cppconn/resultset.h"
#include "common/statement_cache.h"
#include "google/protobuf/timestamp.pb.h"

namespace crm {

// Timestamps are stored as DATETIME(6) in UTC (every session runs in UTC).
std::string ToSqlDatetime(absl::Time t);
absl::Time FromSqlDatetime(const std::string& value);
void ToProtoTimestamp(absl::Time t, google::protobuf::Timestamp* out);
absl::Time FromProtoTimestamp(const google::protobuf::Timestamp& ts);

// A prepared statement for `sql`, reused from the connection's statement
// cache when it has one (see StatementCache). Destroy every ResultSet before
// the handle.
StatementHandle Prepare(sql::Connection& conn, absl::string_view sql);

// For SQL whose text varies with its input (a varying number of rows or
// placeholders): prepared and closed each time, so it never crowds the
// statement cache.
StatementHandle PrepareUncached(sql::Connection& conn, absl::string_view sql);

// Hex-encoded SHA-256.
std::string Sha256Hex(absl::string_view data);

}  // namespace crm

#endif  // CRM_COMMON_SQL_UTIL_H_
