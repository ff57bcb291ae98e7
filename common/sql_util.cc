#include "common/sql_util.h"

#include <openssl/sha.h>

#include "absl/strings/escaping.h"

namespace crm {

std::string ToSqlDatetime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%E6S", t, absl::UTCTimeZone());
}

absl::Time FromSqlDatetime(const std::string& value) {
  absl::Time t;
  std::string err;
  if (absl::ParseTime("%Y-%m-%d %H:%M:%E*S", value, absl::UTCTimeZone(), &t, &err)) {
    return t;
  }
  return absl::UnixEpoch();
}

void ToProtoTimestamp(absl::Time t, google::protobuf::Timestamp* out) {
  int64_t micros = absl::ToUnixMicros(t);
  int64_t seconds = micros / 1000000;
  int64_t rest = micros % 1000000;
  if (rest < 0) {
    rest += 1000000;
    --seconds;
  }
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(rest * 1000));
}

absl::Time FromProtoTimestamp(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

StatementHandle Prepare(sql::Connection& conn, absl::string_view sql) {
  return StatementCache::Prepare(conn, sql);
}

StatementHandle PrepareUncached(sql::Connection& conn, absl::string_view sql) {
  return StatementCache::PrepareUncached(conn, sql);
}

std::string Sha256Hex(absl::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

}  // namespace crm
