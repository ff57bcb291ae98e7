#include "common/idempotency.h"

#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/sql_util.h"
#include "cppconn/exception.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace crm {

absl::StatusOr<RequestKey> MakeRequestKey(absl::string_view method, absl::string_view request_id,
                                          const google::protobuf::Message& request) {
  if (request_id.size() > 64) {
    return InvalidArgument("request_id", "must be at most 64 characters (for example a UUID)");
  }
  for (char c : request_id) {
    if (c < 0x21 || c > 0x7e) {
      return InvalidArgument("request_id", "must be printable ASCII without spaces");
    }
  }
  return RequestKey{std::string(method), std::string(request_id), Fingerprint(request)};
}

std::string Fingerprint(const google::protobuf::Message& message) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return Sha256Hex(bytes);
}

absl::StatusOr<std::optional<std::string>> ClaimRequest(sql::Connection& conn,
                                                        const RequestKey& key, absl::Time now) {
  // Claim first: a fresh request (the common case) costs one statement. A
  // duplicate waits for its twin's row lock and then fails with 1062, and
  // this transaction has read nothing yet, so the SELECT sees the twin's
  // committed response.
  auto claim = Prepare(conn,
                       "INSERT INTO idempotency_keys (method, request_id, fingerprint, "
                       "response, created_at) VALUES (?, ?, ?, '', ?)");
  claim->setString(1, key.method);
  claim->setString(2, key.request_id);
  claim->setString(3, key.fingerprint);
  claim->setString(4, ToSqlDatetime(now));
  try {
    claim->executeUpdate();
    return std::optional<std::string>();
  } catch (const sql::SQLException& e) {
    if (e.getErrorCode() != 1062) throw;
  }
  auto find = Prepare(conn,
                      "SELECT fingerprint, response FROM idempotency_keys "
                      "WHERE method = ? AND request_id = ?");
  find->setString(1, key.method);
  find->setString(2, key.request_id);
  std::unique_ptr<sql::ResultSet> rs(find->executeQuery());
  if (!rs->next()) {
    return Error(absl::StatusCode::kAborted, "TRANSACTION_CONFLICT",
                 "a request with the same request_id is in flight");
  }
  if (rs->getString(1) != key.fingerprint) {
    return Error(absl::StatusCode::kFailedPrecondition, "IDEMPOTENCY_KEY_REUSED",
                 absl::StrCat("request_id ", key.request_id,
                              " was already used for a different request"),
                 {{"request_id", key.request_id}});
  }
  return std::optional<std::string>(std::string(rs->getString(2)));
}

void CompleteRequest(sql::Connection& conn, const RequestKey& key, absl::string_view response) {
  auto done = Prepare(conn,
                      "UPDATE idempotency_keys SET response = ? "
                      "WHERE method = ? AND request_id = ?");
  std::istringstream blob{std::string(response)};
  done->setBlob(1, &blob);
  done->setString(2, key.method);
  done->setString(3, key.request_id);
  done->executeUpdate();
}

}  // namespace crm
