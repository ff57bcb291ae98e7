#include "services/identify/mysql_identify_store.h"

#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/errors.h"
#include "common/sql_util.h"
#include "common/transaction.h"
#include "services/identify/customer_changes.h"
#include "services/identify/customer_events.h"
#include "services/identify/customer_rows.h"

namespace crm::identify {
namespace {

// The active customer `customer_id` under a row lock.
absl::StatusOr<rows::CustomerRow> LockActive(sql::Connection& conn, const DataKey& key,
                                             absl::string_view customer_id) {
  auto row = rows::ReadCustomer(conn, key, customer_id, /*for_update=*/true);
  if (!row.ok()) return row.status();
  if (!row->has_value()) return rows::CustomerNotFound(customer_id);
  switch ((*row)->customer.state()) {
    case v1::CUSTOMER_STATE_MERGED:
      return Error(absl::StatusCode::kFailedPrecondition, "CUSTOMER_MERGED",
                   absl::StrCat("customer ", customer_id, " was merged into ",
                                (*row)->merged_into, "; change the survivor"),
                   {{"customer_id", std::string(customer_id)},
                    {"survivor_id", (*row)->merged_into}});
    case v1::CUSTOMER_STATE_ERASED:
      return Error(absl::StatusCode::kFailedPrecondition, "CUSTOMER_ERASED",
                   absl::StrCat("customer ", customer_id, " was erased"),
                   {{"customer_id", std::string(customer_id)}});
    default:
      return **std::move(row);
  }
}

v1::Customer IdOnly(absl::string_view customer_id) {
  v1::Customer c;
  c.set_customer_id(std::string(customer_id));
  return c;
}

constexpr char kContactColumns[] =
    "SELECT contact_id, customer_id, channel, kind, contact_time, reference, note "
    "FROM customer_contacts ";

v1::Contact ReadContact(sql::ResultSet& rs) {
  v1::Contact c;
  c.set_contact_id(rs.getString(1));
  c.set_customer_id(rs.getString(2));
  c.set_channel(static_cast<v1::CollectionChannel>(rs.getInt(3)));
  c.set_kind(rs.getString(4));
  ToProtoTimestamp(FromSqlDatetime(rs.getString(5)), c.mutable_contact_time());
  c.set_reference(rs.getString(6));
  c.set_note(rs.getString(7));
  return c;
}

}  // namespace

absl::StatusOr<v1::Customer> MysqlIdentifyStore::Reread(absl::string_view customer_id) {
  auto found = GetCustomer(customer_id);
  if (!found.ok()) return found.status();
  return std::move(found->customer);
}

absl::StatusOr<v1::Customer> MysqlIdentifyStore::CreateCustomer(const RequestKey& key,
                                                                 const NewCustomer& input) {
  // The stored response holds the id only: personal data stays sealed.
  auto created = RunIdempotent<v1::Customer>(
      *pool_, *clock_, key, [&](sql::Connection& conn) -> absl::StatusOr<v1::Customer> {
        const v1::Customer& c = input.customer;
        rows::InsertCustomer(conn, *key_, c);
        const ChangeContext context{input.source, "created", FromProtoTimestamp(c.create_time())};
        std::vector<FieldChange> history;
        for (const NormalizedIdentifier& id : input.identifiers) {
          auto inserted = rows::InsertIdentifier(conn, *key_, c.customer_id(), id, input.source,
                                                 context.now);
          if (!inserted.ok()) return inserted.status();
          if (*inserted) {
            history.push_back({rows::IdentifierField(id), "", rows::IdentifierHistoryValue(id)});
          }
        }
        for (const auto& [field, value] : FlattenCustomer(c)) history.push_back({field, "", value});
        rows::InsertHistory(conn, *key_, c.customer_id(), history, context);
        if (absl::Status s = rows::RefreshDerivedRows(conn, *key_, c.customer_id()); !s.ok()) {
          return s;
        }
        events::Created(conn, c);
        return IdOnly(c.customer_id());
      }, rows::WriteOptions());
  if (!created.ok()) return created.status();
  return Reread(created->customer_id());
}

absl::StatusOr<FoundCustomer> MysqlIdentifyStore::GetCustomer(absl::string_view customer_id) {
  return RunWithConnection<FoundCustomer>(*pool_, [&](sql::Connection& conn) {
    return rows::ReadLiveCustomer(conn, *key_, customer_id);
  });
}

absl::StatusOr<v1::Customer> MysqlIdentifyStore::UpdateCustomer(
    const RequestKey& key, absl::string_view customer_id, absl::string_view etag,
    const ChangeContext& context, absl::FunctionRef<absl::Status(v1::Customer&)> mutate) {
  auto updated = RunIdempotent<v1::Customer>(
      *pool_, *clock_, key, [&](sql::Connection& conn) -> absl::StatusOr<v1::Customer> {
        auto row = LockActive(conn, *key_, customer_id);
        if (!row.ok()) return row.status();
        if (!etag.empty() && etag != row->customer.etag()) {
          return Error(absl::StatusCode::kAborted, "ETAG_MISMATCH",
                       absl::StrCat("customer ", customer_id,
                                    " changed since it was read; read it again"),
                       {{"customer_id", std::string(customer_id)},
                        {"current_etag", row->customer.etag()}});
        }
        const v1::Customer before = row->customer;
        if (absl::Status s = mutate(row->customer); !s.ok()) return s;
        const auto changes = DiffCustomers(before, row->customer);
        if (!changes.empty()) {
          rows::WriteCustomer(conn, *key_, *row, context.now);
          rows::InsertHistory(conn, *key_, customer_id, changes, context);
          if (absl::Status s = rows::RefreshDerivedRows(conn, *key_, customer_id); !s.ok()) {
            return s;
          }
          events::Updated(conn, customer_id, changes);
        }
        return IdOnly(customer_id);
      }, rows::WriteOptions());
  if (!updated.ok()) return updated.status();
  return Reread(customer_id);
}

absl::StatusOr<std::vector<v1::Customer>> MysqlIdentifyStore::ListCustomers(
    const CustomerFilter& filter, absl::string_view after_id, int limit) {
  return RunWithConnection<std::vector<v1::Customer>>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<std::vector<v1::Customer>> {
        // Every filter is bound; 0 / the epoch mean "any".
        auto query = Prepare(conn,
                             "SELECT customer_id FROM customers WHERE state = 1 "
                             "AND (? = 0 OR kind = ?) AND (? = 0 OR category = ?) "
                             "AND (? = 0 OR lifecycle_status = ?) AND updated_at >= ? "
                             "AND customer_id > ? ORDER BY customer_id LIMIT ?");
        query->setInt(1, filter.kind);
        query->setInt(2, filter.kind);
        query->setInt(3, filter.category);
        query->setInt(4, filter.category);
        query->setInt(5, filter.lifecycle_status);
        query->setInt(6, filter.lifecycle_status);
        query->setString(7, ToSqlDatetime(filter.updated_since.value_or(absl::UnixEpoch())));
        query->setString(8, std::string(after_id));
        query->setInt(9, limit);
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        std::vector<std::string> ids;
        while (rs->next()) ids.push_back(rs->getString(1));
        std::vector<v1::Customer> out;
        for (const std::string& id : ids) {
          auto found = rows::ReadLiveCustomer(conn, *key_, id);
          if (!found.ok()) return found.status();
          out.push_back(std::move(found->customer));
        }
        return out;
      });
}

absl::StatusOr<v1::Identifier> MysqlIdentifyStore::AddIdentifier(absl::string_view customer_id,
                                                                  const NormalizedIdentifier& id,
                                                                  const ChangeContext& context) {
  return RunInTransaction<v1::Identifier>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<v1::Identifier> {
        auto row = LockActive(conn, *key_, customer_id);
        if (!row.ok()) return row.status();
        auto inserted = rows::InsertIdentifier(conn, *key_, customer_id, id, context.source,
                                               context.now);
        if (!inserted.ok()) return inserted.status();
        if (*inserted) {
          rows::InsertHistory(conn, *key_, customer_id, rows::IdentifierField(id), "",
                              rows::IdentifierHistoryValue(id), context);
          rows::WriteCustomer(conn, *key_, *row, context.now);
          if (absl::Status s = rows::RefreshDerivedRows(conn, *key_, customer_id); !s.ok()) {
            return s;
          }
          events::Updated(conn, customer_id, {{"identifiers", "", ""}});
        }
        for (v1::Identifier& held : rows::ReadIdentifiers(conn, *key_, customer_id)) {
          if (held.type() == id.type && held.namespace_() == id.ns &&
              (held.value() == id.value || id.type == v1::IDENTIFIER_TYPE_NATIONAL_ID)) {
            return held;
          }
        }
        return absl::InternalError("added identifier not found");
      }, rows::WriteOptions());
}

absl::Status MysqlIdentifyStore::RemoveIdentifier(absl::string_view customer_id,
                                                  const NormalizedIdentifier& id,
                                                  const ChangeContext& context) {
  return RunInTransaction(*pool_, [&](sql::Connection& conn) -> absl::Status {
    auto row = LockActive(conn, *key_, customer_id);
    if (!row.ok()) return row.status();
    auto remove = Prepare(conn,
                          "DELETE FROM customer_identifiers WHERE lookup_hash = ? "
                          "AND customer_id = ?");
    std::istringstream hash(rows::IdentifierHash(*key_, id));
    remove->setBlob(1, &hash);
    remove->setString(2, std::string(customer_id));
    if (remove->executeUpdate() == 0) {
      return Error(absl::StatusCode::kNotFound, "IDENTIFIER_NOT_FOUND",
                   absl::StrCat("customer ", customer_id, " holds no such ",
                                v1::IdentifierType_Name(id.type)),
                   {{"customer_id", std::string(customer_id)}});
    }
    rows::InsertHistory(conn, *key_, customer_id, rows::IdentifierField(id),
                        rows::IdentifierHistoryValue(id), "", context);
    rows::WriteCustomer(conn, *key_, *row, context.now);
    events::Updated(conn, customer_id, {{"identifiers", "", ""}});
    return rows::RefreshDerivedRows(conn, *key_, customer_id);
  }, rows::WriteOptions());
}

absl::StatusOr<v1::Customer> MysqlIdentifyStore::LookupCustomer(const NormalizedIdentifier& id) {
  return RunWithConnection<v1::Customer>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<v1::Customer> {
        auto found = rows::LookupLiveCustomer(conn, *key_, id);
        if (!found.ok()) return found.status();
        if (!found->has_value()) {
          return Error(absl::StatusCode::kNotFound, "IDENTIFIER_NOT_FOUND",
                       absl::StrCat("no customer holds this ", v1::IdentifierType_Name(id.type)),
                       {{"identifier_type", v1::IdentifierType_Name(id.type)}});
        }
        return std::move((*found)->customer);
      });
}

absl::StatusOr<std::vector<HistoryRow>> MysqlIdentifyStore::GetHistory(
    absl::string_view customer_id, int64_t before_entry, int limit) {
  return RunWithConnection<std::vector<HistoryRow>>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<std::vector<HistoryRow>> {
        auto exists = rows::ReadCustomer(conn, *key_, customer_id, false);
        if (!exists.ok()) return exists.status();
        if (!exists->has_value()) return rows::CustomerNotFound(customer_id);
        auto query = Prepare(conn,
                             "SELECT entry_id, field, old_sealed, new_sealed, channel, "
                             "source_system, actor, reason, changed_at FROM customer_history "
                             "WHERE customer_id = ? AND entry_id < ? "
                             "ORDER BY entry_id DESC LIMIT ?");
        query->setString(1, std::string(customer_id));
        query->setInt64(2, before_entry == 0 ? INT64_MAX : before_entry);
        query->setInt(3, limit);
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        std::vector<HistoryRow> out;
        while (rs->next()) {
          HistoryRow& row = out.emplace_back();
          row.entry_id = rs->getInt64(1);
          v1::HistoryEntry& e = row.entry;
          e.set_field(rs->getString(2));
          const std::string context = absl::StrCat(customer_id, "|", e.field());
          // Erasure leaves NULL values.
          auto old_value = rs->isNull(3) ? absl::StatusOr<std::string>("")
                                         : key_->Open(std::string(rs->getString(3)), context);
          auto new_value = rs->isNull(4) ? absl::StatusOr<std::string>("")
                                         : key_->Open(std::string(rs->getString(4)), context);
          if (!old_value.ok()) return old_value.status();
          if (!new_value.ok()) return new_value.status();
          e.set_old_value(*old_value);
          e.set_new_value(*new_value);
          e.mutable_source()->set_channel(static_cast<v1::CollectionChannel>(rs->getInt(5)));
          e.mutable_source()->set_system(rs->getString(6));
          e.mutable_source()->set_actor(rs->getString(7));
          e.set_reason(rs->getString(8));
          ToProtoTimestamp(FromSqlDatetime(rs->getString(9)), e.mutable_change_time());
        }
        return out;
      });
}

absl::StatusOr<v1::Customer> ChangeLifecycle(
    sql::Connection& conn, const DataKey& key, absl::string_view customer_id,
    absl::FunctionRef<v1::LifecycleStatus(v1::LifecycleStatus)> next,
    const ChangeContext& context) {
  auto row = LockActive(conn, key, customer_id);
  if (!row.ok()) return row.status();
  const v1::LifecycleStatus old_status = row->customer.lifecycle_status();
  const v1::LifecycleStatus status = next(old_status);
  if (old_status != status) {
    row->customer.set_lifecycle_status(status);
    rows::WriteCustomer(conn, key, *row, context.now);
    rows::InsertHistory(conn, key, customer_id, "lifecycle_status",
                        v1::LifecycleStatus_Name(old_status), v1::LifecycleStatus_Name(status),
                        context);
    events::LifecycleChanged(conn, customer_id, old_status, status);
  }
  auto found = rows::ReadLiveCustomer(conn, key, customer_id);
  if (!found.ok()) return found.status();
  return found->customer;
}

absl::StatusOr<v1::Customer> MysqlIdentifyStore::SetLifecycleStatus(
    absl::string_view customer_id, v1::LifecycleStatus status, const ChangeContext& context) {
  return RunInTransaction<v1::Customer>(
      *pool_,
      [&](sql::Connection& conn) -> absl::StatusOr<v1::Customer> {
        return ChangeLifecycle(
            conn, *key_, customer_id, [&](v1::LifecycleStatus) { return status; }, context);
      },
      rows::WriteOptions());
}

absl::StatusOr<v1::Contact> MysqlIdentifyStore::RecordContact(const RequestKey& key,
                                                              const v1::Contact& contact) {
  // The stored response holds ids only: the note may be personal and must
  // go with an erasure.
  auto recorded = RunIdempotent<v1::Contact>(
      *pool_, *clock_, key, [&](sql::Connection& conn) -> absl::StatusOr<v1::Contact> {
        auto customer = rows::LiveCustomerId(conn, contact.customer_id());
        if (!customer.ok()) return customer.status();
        v1::Contact stored = contact;
        stored.set_customer_id(*customer);
        auto insert = Prepare(conn,
                              "INSERT INTO customer_contacts (contact_id, customer_id, channel, "
                              "kind, contact_time, reference, note, created_at) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        insert->setString(1, stored.contact_id());
        insert->setString(2, stored.customer_id());
        insert->setInt(3, stored.channel());
        insert->setString(4, stored.kind());
        insert->setString(5, ToSqlDatetime(FromProtoTimestamp(stored.contact_time())));
        insert->setString(6, stored.reference());
        insert->setString(7, stored.note());
        insert->setString(8, ToSqlDatetime(clock_->Now()));
        insert->executeUpdate();
        v1::Contact ids;
        ids.set_contact_id(stored.contact_id());
        return ids;
      }, rows::WriteOptions());
  if (!recorded.ok()) return recorded.status();
  return RunWithConnection<v1::Contact>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<v1::Contact> {
        auto query = Prepare(conn,
                             absl::StrCat(kContactColumns, "WHERE contact_id = ?"));
        query->setString(1, recorded->contact_id());
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        if (!rs->next()) return absl::InternalError("recorded contact not found");
        return ReadContact(*rs);
      });
}

absl::StatusOr<std::vector<v1::Contact>> MysqlIdentifyStore::ListContacts(
    absl::string_view customer_id, absl::string_view before, int limit) {
  return RunWithConnection<std::vector<v1::Contact>>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<std::vector<v1::Contact>> {
        auto found = rows::ReadLiveCustomer(conn, *key_, customer_id);
        if (!found.ok()) return found.status();
        std::pair<std::string, std::string> cursor = {"9999-12-31 23:59:59.999999",
                                                      "~"};
        if (!before.empty()) cursor = absl::StrSplit(before, absl::MaxSplits('|', 1));
        auto query = Prepare(conn,
                             absl::StrCat(kContactColumns, "WHERE customer_id = ? "
                             "AND (contact_time, contact_id) < (?, ?) "
                             "ORDER BY contact_time DESC, contact_id DESC LIMIT ?"));
        query->setString(1, found->customer.customer_id());
        query->setString(2, cursor.first);
        query->setString(3, cursor.second);
        query->setInt(4, limit);
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        std::vector<v1::Contact> out;
        while (rs->next()) out.push_back(ReadContact(*rs));
        return out;
      });
}

absl::Status MysqlIdentifyStore::AuditAccess(absl::string_view principal, absl::string_view peer,
                                             absl::string_view method,
                                             absl::string_view customer_id) {
  return RunWithConnection(*pool_, [&](sql::Connection& conn) -> absl::Status {
    auto insert = Prepare(conn,
                          "INSERT INTO access_audit (accessed_at, principal, peer, method, "
                          "customer_id) VALUES (?, ?, ?, ?, ?)");
    insert->setString(1, ToSqlDatetime(clock_->Now()));
    insert->setString(2, std::string(principal).substr(0, 200));
    insert->setString(3, std::string(peer).substr(0, 200));
    insert->setString(4, std::string(method));
    insert->setString(5, std::string(customer_id));
    insert->executeUpdate();
    return absl::OkStatus();
  });
}


absl::StatusOr<std::vector<v1::Consent>> MysqlIdentifyStore::RecordConsent(
    absl::string_view customer_id, v1::ConsentPurpose purpose, bool granted,
    const ChangeContext& context) {
  return RunInTransaction<std::vector<v1::Consent>>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<std::vector<v1::Consent>> {
        auto row = LockActive(conn, *key_, customer_id);
        if (!row.ok()) return row.status();
        auto previous = Prepare(conn,
                                "SELECT granted FROM customer_consents WHERE customer_id = ? "
                                "AND purpose = ?");
        previous->setString(1, std::string(customer_id));
        previous->setInt(2, purpose);
        std::unique_ptr<sql::ResultSet> rs(previous->executeQuery());
        const std::string old_value = rs->next() ? (rs->getBoolean(1) ? "granted" : "withdrawn") : "";
        auto upsert = Prepare(conn,
                              "INSERT INTO customer_consents (customer_id, purpose, granted, "
                              "channel, source_system, actor, updated_at) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
                              "granted = VALUES(granted), channel = VALUES(channel), "
                              "source_system = VALUES(source_system), actor = VALUES(actor), "
                              "updated_at = VALUES(updated_at)");
        upsert->setString(1, std::string(customer_id));
        upsert->setInt(2, purpose);
        upsert->setBoolean(3, granted);
        upsert->setInt(4, context.source.channel());
        upsert->setString(5, context.source.system());
        upsert->setString(6, context.source.actor());
        upsert->setString(7, ToSqlDatetime(context.now));
        upsert->executeUpdate();
        rows::InsertHistory(conn, *key_, customer_id,
                            absl::StrCat("consents.", v1::ConsentPurpose_Name(purpose)), old_value,
                            granted ? "granted" : "withdrawn", context);
        rows::WriteCustomer(conn, *key_, *row, context.now);  // a new etag
        rows::RefreshCustomerView(conn, *key_, customer_id);
        return rows::ReadConsents(conn, customer_id);
      }, rows::WriteOptions());
}

namespace {

// Pseudonymises one customer row and everything personal that refers to it.
void EraseOne(sql::Connection& conn, const DataKey& key, rows::CustomerRow& row,
              const ChangeContext& context) {
  const std::string id = row.customer.customer_id();
  const v1::CustomerState old_state = row.customer.state();
  v1::Customer& c = row.customer;
  c.set_display_name("(erased)");
  c.clear_person();
  c.clear_organization();
  c.clear_address();
  c.clear_attributes();
  if (old_state == v1::CUSTOMER_STATE_ACTIVE) c.set_state(v1::CUSTOMER_STATE_ERASED);
  rows::WriteCustomer(conn, key, row, context.now);
  for (const char* sql :
       {"DELETE FROM customer_identifiers WHERE customer_id = ?",
        "UPDATE customer_history SET old_sealed = NULL, new_sealed = NULL WHERE customer_id = ?",
        "UPDATE customer_contacts SET note = '' WHERE customer_id = ?"}) {
    auto statement = Prepare(conn, sql);
    statement->setString(1, id);
    statement->executeUpdate();
  }
  // Merge snapshots of this customer's data become empty.
  auto merges = Prepare(conn,
                        "SELECT merge_id, survivor_id = ? FROM merges "
                        "WHERE survivor_id = ? OR merged_id = ? FOR UPDATE");
  merges->setString(1, id);
  merges->setString(2, id);
  merges->setString(3, id);
  std::unique_ptr<sql::ResultSet> rs(merges->executeQuery());
  std::vector<std::pair<std::string, bool>> found;
  while (rs->next()) found.emplace_back(rs->getString(1), rs->getBoolean(2));
  for (const auto& [merge_id, as_survivor] : found) {
    const std::string empty = key.Seal("", absl::StrCat("merge|", merge_id));
    std::istringstream first(empty), second(empty);
    if (as_survivor) {
      auto blank = Prepare(conn,
                           "UPDATE merges SET survivor_before = ?, survivor_after = ? "
                           "WHERE merge_id = ?");
      blank->setBlob(1, &first);
      blank->setBlob(2, &second);
      blank->setString(3, merge_id);
      blank->executeUpdate();
    } else {
      auto blank = Prepare(conn, "UPDATE merges SET merged_before = ? WHERE merge_id = ?");
      blank->setBlob(1, &first);
      blank->setString(2, merge_id);
      blank->executeUpdate();
    }
  }
  rows::InsertHistory(conn, key, id, "state", v1::CustomerState_Name(old_state),
                      v1::CustomerState_Name(c.state()), context);
}

}  // namespace

absl::StatusOr<v1::Customer> MysqlIdentifyStore::EraseCustomer(absl::string_view customer_id,
                                                               const ChangeContext& context) {
  auto erased = RunInTransaction<v1::Customer>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<v1::Customer> {
        auto row = rows::ReadCustomer(conn, *key_, customer_id, /*for_update=*/true);
        if (!row.ok()) return row.status();
        if (!row->has_value()) return rows::CustomerNotFound(customer_id);
        if ((*row)->customer.state() == v1::CUSTOMER_STATE_MERGED) {
          return Error(absl::StatusCode::kFailedPrecondition, "CUSTOMER_MERGED",
                       absl::StrCat("customer ", customer_id, " was merged into ",
                                    (*row)->merged_into, "; erase the survivor"),
                       {{"customer_id", std::string(customer_id)},
                        {"survivor_id", (*row)->merged_into}});
        }
        if ((*row)->customer.state() == v1::CUSTOMER_STATE_ACTIVE) {
          // The customer and every record merged into it are the same person.
          std::vector<std::string> pending = {std::string(customer_id)};
          while (!pending.empty()) {
            const std::string id = pending.back();
            pending.pop_back();
            auto target = rows::ReadCustomer(conn, *key_, id, /*for_update=*/true);
            if (!target.ok()) return target.status();
            if (!target->has_value()) continue;
            EraseOne(conn, *key_, **target, context);
            events::Erased(conn, id);
            if (absl::Status s = rows::RefreshDerivedRows(conn, *key_, id); !s.ok()) return s;
            auto children = Prepare(conn, "SELECT customer_id FROM customers WHERE merged_into = ?");
            children->setString(1, id);
            std::unique_ptr<sql::ResultSet> rs(children->executeQuery());
            while (rs->next()) pending.push_back(rs->getString(1));
          }
        }
        return IdOnly(customer_id);
      }, rows::WriteOptions());
  if (!erased.ok()) return erased.status();
  return Reread(customer_id);
}

}  // namespace crm::identify
