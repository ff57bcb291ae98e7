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
#include "google/protobuf/timestamp.pb.h"

namespace crm {

// Timestamps are stored as DATETIME(6) in UTC (every session runs in UTC).
std::string ToSqlDatetime(absl::Time t);
absl::Time FromSqlDatetime(const std::string& value);
void ToProtoTimestamp(absl::Time t, google::protobuf::Timestamp* out);
absl::Time FromProtoTimestamp(const google::protobuf::Timestamp& ts);

// conn.prepareStatement owned by a unique_ptr.
std::unique_ptr<sql::PreparedStatement> Prepare(sql::Connection& conn, absl::string_view sql);

// Hex-encoded SHA-256.
std::string Sha256Hex(absl::string_view data);

}  // namespace crm

#endif  // CRM_COMMON_SQL_UTIL_H_
