#ifndef CRM_COMMON_IDEMPOTENCY_H_
#define CRM_COMMON_IDEMPOTENCY_H_

#include "absl/strings/string_view.h"
#include <optional>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/mysql_pool.h"
#include "common/transaction.h"
#include "google/protobuf/message.h"

namespace crm {

// Identifies one client request (AIP-155): the RPC it was sent to, the
// caller's request_id and a fingerprint of the whole request.
struct RequestKey {
  std::string method;
  std::string request_id;
  std::string fingerprint;
};

// Validates request_id (empty, or 1-64 printable ASCII characters) and
// fingerprints the request with deterministic serialisation. An empty
// request_id opts out of idempotency.
absl::StatusOr<RequestKey> MakeRequestKey(absl::string_view method, absl::string_view request_id,
                                          const google::protobuf::Message& request);

// Hex SHA-256 of the message's deterministic serialisation.
std::string Fingerprint(const google::protobuf::Message& message);

// Low-level steps, inside a caller's transaction on a schema holding the
// idempotency_keys table (see common/schema/idempotency_keys.sql).
//
// Claim returns the stored response when the request was already done, or
// nullopt after reserving the key; it must be the transaction's first read.
// A concurrent twin waits on the row lock and then finds the stored
// response. A request_id reused for a different request fails with
// FAILED_PRECONDITION/IDEMPOTENCY_KEY_REUSED.
absl::StatusOr<std::optional<std::string>> ClaimRequest(sql::Connection& conn,
                                                        const RequestKey& key, absl::Time now);
void CompleteRequest(sql::Connection& conn, const RequestKey& key, absl::string_view response);

// Runs `change` and stores its response in the same transaction, so that a
// retried request returns the first response and changes nothing.
template <typename Response>
absl::StatusOr<Response> RunIdempotent(
    MysqlPool& pool, const Clock& clock, const RequestKey& key,
    absl::FunctionRef<absl::StatusOr<Response>(sql::Connection&)> change,
    const TransactionOptions& options = {}) {
  auto bytes = RunInTransaction<std::string>(
      pool, [&](sql::Connection& conn) -> absl::StatusOr<std::string> {
        if (key.request_id.empty()) {
          absl::StatusOr<Response> response = change(conn);
          if (!response.ok()) return response.status();
          return response->SerializeAsString();
        }
        auto stored = ClaimRequest(conn, key, clock.Now());
        if (!stored.ok()) return stored.status();
        if (stored->has_value()) return **stored;
        absl::StatusOr<Response> response = change(conn);
        if (!response.ok()) return response.status();
        std::string serialized = response->SerializeAsString();
        CompleteRequest(conn, key, serialized);
        return serialized;
      },
      options);
  if (!bytes.ok()) return bytes.status();
  Response response;
  if (!response.ParseFromString(*bytes)) {
    return absl::InternalError("stored idempotent response does not parse");
  }
  return response;
}

}  // namespace crm

#endif  // CRM_COMMON_IDEMPOTENCY_H_
