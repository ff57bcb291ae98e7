#include "services/identify/customer_rows.h"

#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/errors.h"
#include "common/sql_util.h"
#include "services/identify/match_record.h"
#include "cppconn/exception.h"

namespace crm::identify::rows {
namespace {

constexpr absl::string_view kIdentifierDomain = "identifier";

// The personal part of a customer, which is what gets sealed.
std::string PersonalData(const v1::Customer& c) {
  v1::Customer data;
  data.set_display_name(c.display_name());
  if (c.has_person()) *data.mutable_person() = c.person();
  if (c.has_organization()) *data.mutable_organization() = c.organization();
  if (c.has_address()) *data.mutable_address() = c.address();
  *data.mutable_attributes() = c.attributes();
  return data.SerializeAsString();
}

std::string IdentifierContext(const NormalizedIdentifier& id) {
  return absl::StrCat("identifier|", static_cast<int>(id.type), "|", id.ns);
}

constexpr absl::string_view kCustomerColumnNames[] = {
    "customer_id", "kind",       "category",    "display_name", "lifecycle_status",
    "version",     "created_at", "updated_at",  "sealed_data",  "state",
    "merged_into", "sealed_view", "view_version"};
constexpr absl::string_view kIdentifierColumns =
    "type, namespace, sealed_value, channel, source_system, actor, created_at";
constexpr absl::string_view kConsentColumns =
    "purpose, granted, channel, source_system, actor, updated_at";

// The customer columns CustomerAt reads, each prefixed with `alias`.
std::string CustomerColumns(absl::string_view alias = "") {
  std::string out;
  for (absl::string_view name : kCustomerColumnNames) {
    absl::StrAppend(&out, out.empty() ? "" : ", ", alias, name);
  }
  return out;
}

std::string ViewContext(absl::string_view customer_id) {
  return absl::StrCat("view|", customer_id);
}

// A customer row whose columns start at `first` (1-based); with its
// identifiers and consents when `with_view` and the row has a view.
absl::StatusOr<CustomerRow> CustomerAt(sql::ResultSet& rs, int first, const DataKey& key,
                                       bool with_view) {
  auto col = [first](int i) { return static_cast<uint32_t>(first + i); };
  CustomerRow row;
  v1::Customer& c = row.customer;
  const std::string customer_id = rs.getString(col(0));
  if (!rs.isNull(col(8))) {
    auto data = key.Open(std::string(rs.getString(col(8))), customer_id);
    if (!data.ok()) return data.status();
    c.ParseFromString(*data);
  } else {
    c.set_display_name(rs.getString(col(3)));
  }
  // The view counts only if it was written at the row's current version.
  if (with_view && !rs.isNull(col(11)) && !rs.isNull(col(12)) &&
      rs.getInt64(col(12)) == rs.getInt64(col(5))) {
    auto view = key.Open(std::string(rs.getString(col(11))), ViewContext(customer_id));
    if (!view.ok()) return view.status();
    v1::Customer links;
    links.ParseFromString(*view);
    *c.mutable_identifiers() = std::move(*links.mutable_identifiers());
    *c.mutable_consents() = std::move(*links.mutable_consents());
    row.view_loaded = true;
  }
  c.set_customer_id(customer_id);
  c.set_kind(static_cast<v1::CustomerKind>(rs.getInt(col(1))));
  c.set_category(static_cast<v1::CustomerCategory>(rs.getInt(col(2))));
  c.set_lifecycle_status(static_cast<v1::LifecycleStatus>(rs.getInt(col(4))));
  row.version = rs.getInt64(col(5));
  c.set_etag(absl::StrCat(row.version));
  ToProtoTimestamp(FromSqlDatetime(rs.getString(col(6))), c.mutable_create_time());
  ToProtoTimestamp(FromSqlDatetime(rs.getString(col(7))), c.mutable_update_time());
  c.set_state(static_cast<v1::CustomerState>(rs.getInt(col(9))));
  if (!rs.isNull(col(10))) row.merged_into = rs.getString(col(10));
  return row;
}

v1::Identifier IdentifierAt(sql::ResultSet& rs, const DataKey& key) {
  v1::Identifier id;
  id.set_type(static_cast<v1::IdentifierType>(rs.getInt(1)));
  id.set_namespace_(rs.getString(2));
  if (!rs.isNull(3)) {
    NormalizedIdentifier n{id.type(), id.namespace_(), ""};
    auto value = key.Open(std::string(rs.getString(3)), IdentifierContext(n));
    if (value.ok()) id.set_value(*value);
  }
  id.mutable_source()->set_channel(static_cast<v1::CollectionChannel>(rs.getInt(4)));
  id.mutable_source()->set_system(rs.getString(5));
  id.mutable_source()->set_actor(rs.getString(6));
  ToProtoTimestamp(FromSqlDatetime(rs.getString(7)), id.mutable_create_time());
  return id;
}

v1::Consent ConsentAt(sql::ResultSet& rs) {
  v1::Consent c;
  c.set_purpose(static_cast<v1::ConsentPurpose>(rs.getInt(1)));
  c.set_granted(rs.getBoolean(2));
  c.mutable_source()->set_channel(static_cast<v1::CollectionChannel>(rs.getInt(3)));
  c.mutable_source()->set_system(rs.getString(4));
  c.mutable_source()->set_actor(rs.getString(5));
  ToProtoTimestamp(FromSqlDatetime(rs.getString(6)), c.mutable_update_time());
  return c;
}

absl::StatusOr<std::optional<CustomerRow>> ReadCustomerRow(sql::Connection& conn,
                                                           const DataKey& key,
                                                           absl::string_view customer_id,
                                                           bool for_update, bool with_view) {
  auto query = Prepare(conn, absl::StrCat("SELECT ", CustomerColumns(),
                                          " FROM customers WHERE customer_id = ?",
                                          for_update ? " FOR UPDATE" : ""));
  query->setString(1, std::string(customer_id));
  std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
  if (!rs->next()) return std::nullopt;
  return CustomerAt(*rs, 1, key, with_view);
}

// `row` was read for `asked_for`: follows its merge redirects (at most 32)
// to the surviving customer, whose identifiers and consents come from its
// view or, for a row written before views existed, from the tables.
absl::StatusOr<FoundCustomer> FollowMerges(sql::Connection& conn, const DataKey& key,
                                           CustomerRow row, absl::string_view asked_for) {
  for (int hop = 0; row.customer.state() == v1::CUSTOMER_STATE_MERGED; ++hop) {
    if (hop == 32) {
      return absl::InternalError(absl::StrCat("merge redirects of ", asked_for, " form a loop"));
    }
    auto next = ReadCustomerRow(conn, key, row.merged_into, false, true);
    if (!next.ok()) return next.status();
    if (!next->has_value()) return CustomerNotFound(asked_for);
    row = std::move(**next);
  }
  FoundCustomer found;
  found.customer = std::move(row.customer);
  const std::string& id = found.customer.customer_id();
  if (id != asked_for) found.redirected_from = std::string(asked_for);
  if (!row.view_loaded) {
    for (auto& identifier : ReadIdentifiers(conn, key, id)) {
      *found.customer.add_identifiers() = std::move(identifier);
    }
    for (auto& consent : ReadConsents(conn, id)) *found.customer.add_consents() = std::move(consent);
  }
  return found;
}

}  // namespace

TransactionOptions WriteOptions() {
  TransactionOptions options;
  options.read_committed = true;
  return options;
}

absl::Status CustomerNotFound(absl::string_view customer_id) {
  return Error(absl::StatusCode::kNotFound, "CUSTOMER_NOT_FOUND",
               absl::StrCat("customer ", customer_id, " does not exist"),
               {{"customer_id", std::string(customer_id)}});
}

absl::StatusOr<std::optional<CustomerRow>> ReadCustomer(sql::Connection& conn, const DataKey& key,
                                                        absl::string_view customer_id,
                                                        bool for_update) {
  return ReadCustomerRow(conn, key, customer_id, for_update, /*with_view=*/false);
}

absl::StatusOr<FoundCustomer> ReadLiveCustomer(sql::Connection& conn, const DataKey& key,
                                               absl::string_view customer_id) {
  auto row = ReadCustomerRow(conn, key, customer_id, false, /*with_view=*/true);
  if (!row.ok()) return row.status();
  if (!row->has_value()) return CustomerNotFound(customer_id);
  return FollowMerges(conn, key, std::move(**row), customer_id);
}

absl::StatusOr<std::string> LiveCustomerId(sql::Connection& conn, absl::string_view customer_id) {
  std::string id(customer_id);
  for (int hop = 0; hop <= 32; ++hop) {
    auto query = Prepare(conn, "SELECT state, merged_into FROM customers WHERE customer_id = ?");
    query->setString(1, id);
    std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
    if (!rs->next()) return CustomerNotFound(customer_id);
    if (rs->getInt(1) != v1::CUSTOMER_STATE_MERGED) return id;
    id = rs->getString(2);
  }
  return absl::InternalError(absl::StrCat("merge redirects of ", customer_id, " form a loop"));
}

absl::StatusOr<std::optional<FoundCustomer>> LookupLiveCustomer(sql::Connection& conn,
                                                                const DataKey& key,
                                                                const NormalizedIdentifier& id) {
  std::optional<CustomerRow> row;
  {
    auto query = Prepare(conn, absl::StrCat("SELECT ", CustomerColumns("c."),
                                            " FROM customer_identifiers i JOIN customers c "
                                            "ON c.customer_id = i.customer_id "
                                            "WHERE i.lookup_hash = ?"));
    std::istringstream hash(IdentifierHash(key, id));
    query->setBlob(1, &hash);
    std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
    if (!rs->next()) return std::nullopt;
    auto read = CustomerAt(*rs, 1, key, /*with_view=*/true);
    if (!read.ok()) return read.status();
    row = *std::move(read);
  }
  const std::string held_by = row->customer.customer_id();
  return FollowMerges(conn, key, *std::move(row), held_by);
}

void InsertCustomer(sql::Connection& conn, const DataKey& key, const v1::Customer& c) {
  auto insert = Prepare(conn,
                        "INSERT INTO customers (customer_id, kind, category, display_name, "
                        "lifecycle_status, version, created_at, updated_at, sealed_data, state) "
                        "VALUES (?, ?, ?, NULL, ?, 1, ?, ?, ?, ?)");
  std::istringstream sealed(key.Seal(PersonalData(c), c.customer_id()));
  insert->setString(1, c.customer_id());
  insert->setInt(2, c.kind());
  insert->setInt(3, c.category());
  insert->setInt(4, c.lifecycle_status());
  insert->setString(5, ToSqlDatetime(FromProtoTimestamp(c.create_time())));
  insert->setString(6, ToSqlDatetime(FromProtoTimestamp(c.update_time())));
  insert->setBlob(7, &sealed);
  insert->setInt(8, v1::CUSTOMER_STATE_ACTIVE);
  insert->executeUpdate();
}

void WriteCustomer(sql::Connection& conn, const DataKey& key, const CustomerRow& row,
                   absl::Time now) {
  const v1::Customer& c = row.customer;
  auto update = Prepare(conn,
                        "UPDATE customers SET category = ?, display_name = NULL, "
                        "lifecycle_status = ?, sealed_data = ?, state = ?, merged_into = ?, "
                        // Assignments apply left to right: a current view stays current.
                        "view_version = IF(view_version = version, version + 1, view_version), "
                        "version = version + 1, updated_at = ? WHERE customer_id = ?");
  std::istringstream sealed(key.Seal(PersonalData(c), c.customer_id()));
  update->setInt(1, c.category());
  update->setInt(2, c.lifecycle_status());
  update->setBlob(3, &sealed);
  update->setInt(4, c.state());
  if (row.merged_into.empty()) {
    update->setNull(5, 0);
  } else {
    update->setString(5, row.merged_into);
  }
  update->setString(6, ToSqlDatetime(now));
  update->setString(7, c.customer_id());
  update->executeUpdate();
}

std::vector<v1::Consent> ReadConsents(sql::Connection& conn, absl::string_view customer_id) {
  auto query = Prepare(conn, absl::StrCat("SELECT ", kConsentColumns,
                                          " FROM customer_consents WHERE customer_id = ? "
                                          "ORDER BY purpose"));
  query->setString(1, std::string(customer_id));
  std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
  std::vector<v1::Consent> out;
  while (rs->next()) out.push_back(ConsentAt(*rs));
  return out;
}

std::vector<v1::Identifier> ReadIdentifiers(sql::Connection& conn, const DataKey& key,
                                            absl::string_view customer_id) {
  auto query = Prepare(conn, absl::StrCat("SELECT ", kIdentifierColumns,
                                          " FROM customer_identifiers WHERE customer_id = ? "
                                          "ORDER BY type, created_at, lookup_hash"));
  query->setString(1, std::string(customer_id));
  std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
  std::vector<v1::Identifier> out;
  while (rs->next()) out.push_back(IdentifierAt(*rs, key));
  return out;
}

std::string IdentifierOwner(sql::Connection& conn, const DataKey& key,
                            const NormalizedIdentifier& id) {
  auto query = Prepare(conn, "SELECT customer_id FROM customer_identifiers WHERE lookup_hash = ? "
                             "LOCK IN SHARE MODE");
  std::istringstream hash(IdentifierHash(key, id));
  query->setBlob(1, &hash);
  std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
  return rs->next() ? std::string(rs->getString(1)) : "";
}

absl::StatusOr<bool> InsertIdentifier(sql::Connection& conn, const DataKey& key,
                                      absl::string_view customer_id,
                                      const NormalizedIdentifier& id, const v1::Source& source,
                                      absl::Time now) {
  auto insert = Prepare(conn,
                        "INSERT IGNORE INTO customer_identifiers (lookup_hash, customer_id, type, "
                        "namespace, sealed_value, channel, source_system, actor, created_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  std::istringstream hash(IdentifierHash(key, id));
  std::istringstream sealed(key.Seal(id.value, IdentifierContext(id)));
  insert->setBlob(1, &hash);
  insert->setString(2, std::string(customer_id));
  insert->setInt(3, id.type);
  insert->setString(4, id.ns);
  if (id.type == v1::IDENTIFIER_TYPE_NATIONAL_ID) {
    insert->setNull(5, 0);
  } else {
    insert->setBlob(5, &sealed);
  }
  insert->setInt(6, source.channel());
  insert->setString(7, source.system());
  insert->setString(8, source.actor());
  insert->setString(9, ToSqlDatetime(now));
  if (insert->executeUpdate() == 1) return true;
  const std::string owner = IdentifierOwner(conn, key, id);
  if (owner == customer_id) return false;
  return Error(absl::StatusCode::kAlreadyExists, "IDENTIFIER_TAKEN",
               absl::StrCat("another customer already holds this ",
                            v1::IdentifierType_Name(id.type)),
               {{"identifier_type", v1::IdentifierType_Name(id.type)}});
}

void InsertHistory(sql::Connection& conn, const DataKey& key, absl::string_view customer_id,
                   absl::string_view field, absl::string_view old_value,
                   absl::string_view new_value, const ChangeContext& context) {
  auto insert = Prepare(conn,
                        "INSERT INTO customer_history (customer_id, field, old_sealed, new_sealed, "
                        "channel, source_system, actor, reason, changed_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  const std::string context_text = absl::StrCat(customer_id, "|", field);
  std::istringstream old_sealed(key.Seal(old_value, context_text));
  std::istringstream new_sealed(key.Seal(new_value, context_text));
  insert->setString(1, std::string(customer_id));
  insert->setString(2, std::string(field));
  insert->setBlob(3, &old_sealed);
  insert->setBlob(4, &new_sealed);
  insert->setInt(5, context.source.channel());
  insert->setString(6, context.source.system());
  insert->setString(7, context.source.actor());
  insert->setString(8, context.reason);
  insert->setString(9, ToSqlDatetime(context.now));
  insert->executeUpdate();
}

std::string IdentifierHash(const DataKey& key, const NormalizedIdentifier& id) {
  return key.Hash(kIdentifierDomain, id.IndexText());
}

std::string BlockingKeyHash(const DataKey& key, absl::string_view key_text) {
  return key.Hash("blocking", key_text).substr(0, 8);
}

std::string MatchRecordContext(absl::string_view customer_id) {
  return absl::StrCat("match|", customer_id);
}

std::vector<v1::Identifier> RefreshCustomerView(sql::Connection& conn, const DataKey& key,
                                                absl::string_view customer_id) {
  v1::Customer links;
  for (auto& identifier : ReadIdentifiers(conn, key, customer_id)) {
    *links.add_identifiers() = std::move(identifier);
  }
  for (auto& consent : ReadConsents(conn, customer_id)) *links.add_consents() = std::move(consent);
  auto update = Prepare(conn,
                        "UPDATE customers SET sealed_view = ?, view_version = version "
                        "WHERE customer_id = ?");
  std::istringstream sealed(key.Seal(links.SerializeAsString(), ViewContext(customer_id)));
  update->setBlob(1, &sealed);
  update->setString(2, std::string(customer_id));
  update->executeUpdate();
  return {links.identifiers().begin(), links.identifiers().end()};
}

absl::Status RefreshDerivedRows(sql::Connection& conn, const DataKey& key,
                                absl::string_view customer_id) {
  const std::string id(customer_id);
  std::vector<v1::Identifier> identifiers = RefreshCustomerView(conn, key, id);
  for (const char* sql : {"DELETE FROM blocking_keys WHERE customer_id = ?",
                          "DELETE FROM match_records WHERE customer_id = ?"}) {
    auto remove = Prepare(conn, sql);
    remove->setString(1, id);
    remove->executeUpdate();
  }
  auto row = ReadCustomer(conn, key, id, false);
  if (!row.ok()) return row.status();
  if (!row->has_value() || (*row)->customer.state() != v1::CUSTOMER_STATE_ACTIVE) {
    return absl::OkStatus();
  }
  v1::Customer& customer = (*row)->customer;
  for (auto& identifier : identifiers) *customer.add_identifiers() = std::move(identifier);
  auto nid = Prepare(conn,
                     "SELECT lookup_hash FROM customer_identifiers WHERE customer_id = ? "
                     "AND type = ? ORDER BY created_at LIMIT 1");
  nid->setString(1, id);
  nid->setInt(2, v1::IDENTIFIER_TYPE_NATIONAL_ID);
  std::unique_ptr<sql::ResultSet> rs(nid->executeQuery());
  const std::string national_id_hash = rs->next() ? std::string(rs->getString(1)) : "";
  const MatchRecord record = MatchRecordOf(customer, national_id_hash);
  auto insert = Prepare(conn, "INSERT INTO match_records (customer_id, sealed_record) VALUES (?, ?)");
  std::istringstream sealed(key.Seal(record.Serialize(), MatchRecordContext(id)));
  insert->setString(1, id);
  insert->setBlob(2, &sealed);
  insert->executeUpdate();
  std::vector<std::string> keys = BlockingKeys(record);
  if (keys.empty()) return absl::OkStatus();
  std::string sql = "INSERT IGNORE INTO blocking_keys (key_hash, customer_id) VALUES ";
  for (size_t i = 0; i < keys.size(); ++i) absl::StrAppend(&sql, i ? ", " : "", "(?, ?)");
  auto insert_keys = Prepare(conn, sql);
  std::vector<std::unique_ptr<std::istringstream>> hashes;
  for (size_t i = 0; i < keys.size(); ++i) {
    hashes.push_back(std::make_unique<std::istringstream>(BlockingKeyHash(key, keys[i])));
    insert_keys->setBlob(static_cast<unsigned>(2 * i + 1), hashes.back().get());
    insert_keys->setString(static_cast<unsigned>(2 * i + 2), id);
  }
  insert_keys->executeUpdate();
  return absl::OkStatus();
}

void InsertHistory(sql::Connection& conn, const DataKey& key, absl::string_view customer_id,
                   const std::vector<FieldChange>& changes, const ChangeContext& context) {
  if (changes.empty()) return;
  std::string sql =
      "INSERT INTO customer_history (customer_id, field, old_sealed, new_sealed, channel, "
      "source_system, actor, reason, changed_at) VALUES ";
  for (size_t i = 0; i < changes.size(); ++i) {
    absl::StrAppend(&sql, i ? ", " : "", "(?, ?, ?, ?, ?, ?, ?, ?, ?)");
  }
  auto insert = PrepareUncached(conn, sql);  // one shape per number of changes
  std::vector<std::unique_ptr<std::istringstream>> blobs;
  const std::string when = ToSqlDatetime(context.now);
  unsigned p = 1;
  for (const FieldChange& change : changes) {
    const std::string sealing_context = absl::StrCat(customer_id, "|", change.field);
    insert->setString(p++, std::string(customer_id));
    insert->setString(p++, change.field);
    for (const std::string* value : {&change.old_value, &change.new_value}) {
      blobs.push_back(std::make_unique<std::istringstream>(key.Seal(*value, sealing_context)));
      insert->setBlob(p++, blobs.back().get());
    }
    insert->setInt(p++, context.source.channel());
    insert->setString(p++, context.source.system());
    insert->setString(p++, context.source.actor());
    insert->setString(p++, context.reason);
    insert->setString(p++, when);
  }
  insert->executeUpdate();
}

std::string IdentifierHistoryValue(const NormalizedIdentifier& id) {
  return id.type == v1::IDENTIFIER_TYPE_NATIONAL_ID ? "****" : id.value;
}

std::string IdentifierField(const NormalizedIdentifier& id) {
  std::string name(absl::StripPrefix(v1::IdentifierType_Name(id.type), "IDENTIFIER_TYPE_"));
  return id.ns.empty() ? absl::StrCat("identifiers.", name)
                       : absl::StrCat("identifiers.", name, ":", id.ns);
}

}  // namespace crm::identify::rows
