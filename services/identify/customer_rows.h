#ifndef CRM_SERVICES_IDENTIFY_CUSTOMER_ROWS_H_
#define CRM_SERVICES_IDENTIFY_CUSTOMER_ROWS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/data_key.h"
#include "common/transaction.h"
#include "cppconn/connection.h"
#include "crm/identify/v1/identify.pb.h"
#include "services/identify/customer_changes.h"
#include "services/identify/identifier_rules.h"
#include "services/identify/identify_store.h"

// Row-level reads and writes of the identify schema, inside a caller's
// transaction. Personal data is sealed with the customer id as context.
namespace crm::identify::rows {

struct CustomerRow {
  // With identifiers and consents only when view_loaded (ReadLiveCustomer).
  v1::Customer customer;
  bool view_loaded = false;
  std::string merged_into;
  int64_t version = 0;
};

// The row of `customer_id` without identifiers and consents, or nullopt.
// `for_update` takes a row lock.
absl::StatusOr<std::optional<CustomerRow>> ReadCustomer(sql::Connection& conn, const DataKey& key,
                                                        absl::string_view customer_id,
                                                        bool for_update);

// Follows merge redirects (at most 32) to the surviving customer; NOT_FOUND /
// CUSTOMER_NOT_FOUND when absent.
// Reads the customer with its identifiers and consents in one round trip.
absl::StatusOr<FoundCustomer> ReadLiveCustomer(sql::Connection& conn, const DataKey& key,
                                               absl::string_view customer_id);

// Only the id of the live customer (following merges), without reading or
// decrypting anything else; NOT_FOUND / CUSTOMER_NOT_FOUND when absent.
absl::StatusOr<std::string> LiveCustomerId(sql::Connection& conn, absl::string_view customer_id);

// The live customer holding the identifier (one round trip), or nullopt.
absl::StatusOr<std::optional<FoundCustomer>> LookupLiveCustomer(sql::Connection& conn,
                                                                const DataKey& key,
                                                                const NormalizedIdentifier& id);

void InsertCustomer(sql::Connection& conn, const DataKey& key, const v1::Customer& customer);
// Writes data, category, lifecycle, state, merged_into; bumps the version.
void WriteCustomer(sql::Connection& conn, const DataKey& key, const CustomerRow& row,
                   absl::Time now);

std::vector<v1::Consent> ReadConsents(sql::Connection& conn, absl::string_view customer_id);

std::vector<v1::Identifier> ReadIdentifiers(sql::Connection& conn, const DataKey& key,
                                            absl::string_view customer_id);
// Inserts the identifier for `customer_id`: true when inserted, false when
// the customer already held it; ALREADY_EXISTS / IDENTIFIER_TAKEN when
// another customer does.
absl::StatusOr<bool> InsertIdentifier(sql::Connection& conn, const DataKey& key,
                                      absl::string_view customer_id,
                                      const NormalizedIdentifier& id, const v1::Source& source,
                                      absl::Time now);
// The customer holding the identifier, or "".
std::string IdentifierOwner(sql::Connection& conn, const DataKey& key,
                            const NormalizedIdentifier& id);

void InsertHistory(sql::Connection& conn, const DataKey& key, absl::string_view customer_id,
                   absl::string_view field, absl::string_view old_value,
                   absl::string_view new_value, const ChangeContext& context);

// The same for many fields, in one statement.
void InsertHistory(sql::Connection& conn, const DataKey& key, absl::string_view customer_id,
                   const std::vector<FieldChange>& changes, const ChangeContext& context);

// What the history records as an identifier's value (never a national id).
std::string IdentifierHistoryValue(const NormalizedIdentifier& id);

// "PHONE", "EXTERNAL_ID:erp": the history field of an identifier.
std::string IdentifierField(const NormalizedIdentifier& id);

absl::Status CustomerNotFound(absl::string_view customer_id);

// Identify's writes run in READ COMMITTED: concurrent creates then lock only
// the rows they touch, not the gaps between blocking keys (which deadlocks).
TransactionOptions WriteOptions();

// The blind index of an identifier (32 bytes).
std::string IdentifierHash(const DataKey& key, const NormalizedIdentifier& id);
// A blocking key as stored (8 bytes of its keyed hash).
std::string BlockingKeyHash(const DataKey& key, absl::string_view key_text);
// The sealing context of a customer's match record.
std::string MatchRecordContext(absl::string_view customer_id);

// Rewrites the sealed copy of the customer's identifiers and consents in its
// row from their tables, and returns the identifiers. Every transaction that
// changes them calls this (or RefreshDerivedRows) for each customer concerned.
std::vector<v1::Identifier> RefreshCustomerView(sql::Connection& conn, const DataKey& key,
                                                absl::string_view customer_id);

// Refreshes the view, then rewrites the match record and blocking keys of
// `customer_id` from its current data, or removes them when it is no longer
// active.
absl::Status RefreshDerivedRows(sql::Connection& conn, const DataKey& key,
                                absl::string_view customer_id);

}  // namespace crm::identify::rows

#endif  // CRM_SERVICES_IDENTIFY_CUSTOMER_ROWS_H_
