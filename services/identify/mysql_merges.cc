// MysqlMatchStore: merging and unmerging customers.
#include <memory>
#include <set>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/errors.h"
#include "common/sql_util.h"
#include "common/transaction.h"
#include "services/identify/customer_changes.h"
#include "services/identify/customer_events.h"
#include "services/identify/customer_rows.h"
#include "services/identify/mysql_match_store.h"

namespace crm::identify {
namespace {

std::string SnapshotContext(absl::string_view merge_id) { return absl::StrCat("merge|", merge_id); }

absl::StatusOr<rows::CustomerRow> LockCustomer(sql::Connection& conn, const DataKey& key,
                                               absl::string_view id) {
  auto row = rows::ReadCustomer(conn, key, id, /*for_update=*/true);
  if (!row.ok()) return row.status();
  if (!row->has_value()) return rows::CustomerNotFound(id);
  return **std::move(row);
}

absl::Status NotActive(const rows::CustomerRow& row, absl::string_view role) {
  const std::string id = row.customer.customer_id();
  if (row.customer.state() == v1::CUSTOMER_STATE_MERGED) {
    return Error(absl::StatusCode::kFailedPrecondition, "CUSTOMER_MERGED",
                 absl::StrCat("the ", role, " ", id, " was already merged into ", row.merged_into),
                 {{"customer_id", id}, {"survivor_id", row.merged_into}});
  }
  return Error(absl::StatusCode::kFailedPrecondition, "CUSTOMER_ERASED",
               absl::StrCat("the ", role, " ", id, " was erased"), {{"customer_id", id}});
}

// When and from which channel each field got its current value.
FieldOrigins OriginsOf(sql::Connection& conn, absl::string_view customer_id) {
  auto query = Prepare(conn,
                       "SELECT field, changed_at, channel FROM customer_history "
                       "WHERE customer_id = ? ORDER BY entry_id");
  query->setString(1, std::string(customer_id));
  std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
  FieldOrigins origins;
  while (rs->next()) {
    origins[rs->getString(1)] = {FromSqlDatetime(rs->getString(2)),
                                 static_cast<v1::CollectionChannel>(rs->getInt(3))};
  }
  return origins;
}

std::vector<std::string> IdentifierHashesOf(sql::Connection& conn, absl::string_view customer_id) {
  auto query = Prepare(conn, "SELECT lookup_hash FROM customer_identifiers WHERE customer_id = ?");
  query->setString(1, std::string(customer_id));
  std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
  std::vector<std::string> out;
  while (rs->next()) out.push_back(rs->getString(1));
  return out;
}

void MoveIdentifier(sql::Connection& conn, const std::string& hash, absl::string_view from,
                    absl::string_view to) {
  auto move = Prepare(conn,
                      "UPDATE customer_identifiers SET customer_id = ? "
                      "WHERE lookup_hash = ? AND customer_id = ?");
  std::istringstream hash_stream(hash);
  move->setString(1, std::string(to));
  move->setBlob(2, &hash_stream);
  move->setString(3, std::string(from));
  move->executeUpdate();
}

void RecordChanges(sql::Connection& conn, const DataKey& key, const v1::Customer& before,
                   const v1::Customer& after, const ChangeContext& context) {
  rows::InsertHistory(conn, key, after.customer_id(), DiffCustomers(before, after), context);
}

}  // namespace

absl::StatusOr<MergeOutcome> MysqlMatchStore::Merge(const RequestKey& key,
                                                    const std::string& merge_id,
                                                    absl::string_view survivor_id,
                                                    absl::string_view merged_id,
                                                    const ChangeContext& context,
                                                    MergeDecision decide) {
  // The stored response carries ids only: personal data stays sealed.
  auto done = RunIdempotent<v1::MergeCustomersResponse>(
      *pool_, *clock_, key,
      [&](sql::Connection& conn) -> absl::StatusOr<v1::MergeCustomersResponse> {
        // Lock in id order so that crossing merges cannot deadlock.
        const bool survivor_first = survivor_id < merged_id;
        auto first = LockCustomer(conn, *key_, survivor_first ? survivor_id : merged_id);
        if (!first.ok()) return first.status();
        auto second = LockCustomer(conn, *key_, survivor_first ? merged_id : survivor_id);
        if (!second.ok()) return second.status();
        rows::CustomerRow& survivor = survivor_first ? *first : *second;
        rows::CustomerRow& merged = survivor_first ? *second : *first;
        if (survivor.customer.state() != v1::CUSTOMER_STATE_ACTIVE) {
          return NotActive(survivor, "survivor");
        }
        if (merged.customer.state() != v1::CUSTOMER_STATE_ACTIVE) return NotActive(merged, "customer");
        if (survivor.customer.kind() != merged.customer.kind()) {
          return Error(absl::StatusCode::kFailedPrecondition, "KIND_MISMATCH",
                       "a person and an organisation cannot be merged");
        }
        auto result = decide(survivor.customer, OriginsOf(conn, survivor_id), merged.customer,
                             OriginsOf(conn, merged_id));
        if (!result.ok()) return result.status();
        const std::vector<std::string> moved = IdentifierHashesOf(conn, merged_id);
        ChangeContext merge_context = context;
        merge_context.reason = absl::StrCat("merge ", merge_id, ": ", context.reason);

        const v1::Customer survivor_before = survivor.customer;
        survivor.customer = *std::move(result);
        rows::WriteCustomer(conn, *key_, survivor, context.now);
        RecordChanges(conn, *key_, survivor_before, survivor.customer, merge_context);
        for (const std::string& hash : moved) MoveIdentifier(conn, hash, merged_id, survivor_id);
        rows::InsertHistory(conn, *key_, survivor_id, "merged_from", "", std::string(merged_id),
                            merge_context);

        const v1::Customer merged_before = merged.customer;
        merged.customer.set_state(v1::CUSTOMER_STATE_MERGED);
        merged.merged_into = std::string(survivor_id);
        rows::WriteCustomer(conn, *key_, merged, context.now);
        rows::InsertHistory(conn, *key_, merged_id, "merged_into", "", std::string(survivor_id),
                            merge_context);

        auto insert = Prepare(conn,
                              "INSERT INTO merges (merge_id, survivor_id, merged_id, "
                              "survivor_before, merged_before, survivor_after, moved_identifiers, "
                              "reason, channel, actor, created_at) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        const std::string ctx = SnapshotContext(merge_id);
        std::vector<std::string> moved_hex;
        for (const std::string& hash : moved) moved_hex.push_back(absl::BytesToHexString(hash));
        std::istringstream s_before(key_->Seal(survivor_before.SerializeAsString(), ctx));
        std::istringstream m_before(key_->Seal(merged_before.SerializeAsString(), ctx));
        std::istringstream s_after(key_->Seal(survivor.customer.SerializeAsString(), ctx));
        std::istringstream moved_ids(key_->Seal(absl::StrJoin(moved_hex, ","), ctx));
        insert->setString(1, merge_id);
        insert->setString(2, std::string(survivor_id));
        insert->setString(3, std::string(merged_id));
        insert->setBlob(4, &s_before);
        insert->setBlob(5, &m_before);
        insert->setBlob(6, &s_after);
        insert->setBlob(7, &moved_ids);
        insert->setString(8, context.reason);
        insert->setInt(9, context.source.channel());
        insert->setString(10, context.source.actor());
        insert->setString(11, ToSqlDatetime(context.now));
        insert->executeUpdate();
        for (absl::string_view id : {survivor_id, merged_id}) {
          if (absl::Status s = rows::RefreshDerivedRows(conn, *key_, id); !s.ok()) return s;
        }
        events::Merged(conn, merge_id, survivor_id, merged_id);
        v1::MergeCustomersResponse response;
        response.set_merge_id(merge_id);
        response.mutable_survivor()->set_customer_id(std::string(survivor_id));
        return response;
      }, rows::WriteOptions());
  if (!done.ok()) return done.status();
  auto survivor = RunWithConnection<FoundCustomer>(*pool_, [&](sql::Connection& conn) {
    return rows::ReadLiveCustomer(conn, *key_, done->survivor().customer_id());
  });
  if (!survivor.ok()) return survivor.status();
  return MergeOutcome{done->merge_id(), std::move(survivor->customer)};
}

absl::StatusOr<UnmergeOutcome> MysqlMatchStore::Unmerge(const RequestKey& key,
                                                        absl::string_view merge_id,
                                                        const ChangeContext& context) {
  auto done = RunIdempotent<v1::UnmergeCustomersResponse>(
      *pool_, *clock_, key,
      [&](sql::Connection& conn) -> absl::StatusOr<v1::UnmergeCustomersResponse> {
        auto find = Prepare(conn,
                            "SELECT survivor_id, merged_id, survivor_before, merged_before, "
                            "survivor_after, moved_identifiers, undone_at IS NOT NULL "
                            "FROM merges WHERE merge_id = ? FOR UPDATE");
        find->setString(1, std::string(merge_id));
        std::unique_ptr<sql::ResultSet> rs(find->executeQuery());
        if (!rs->next()) {
          return Error(absl::StatusCode::kNotFound, "MERGE_NOT_FOUND",
                       absl::StrCat("merge ", merge_id, " does not exist"),
                       {{"merge_id", std::string(merge_id)}});
        }
        if (rs->getBoolean(7)) {
          return Error(absl::StatusCode::kFailedPrecondition, "MERGE_ALREADY_UNDONE",
                       absl::StrCat("merge ", merge_id, " was already undone"),
                       {{"merge_id", std::string(merge_id)}});
        }
        const std::string survivor_id = rs->getString(1), merged_id = rs->getString(2);
        const std::string ctx = SnapshotContext(merge_id);
        v1::Customer snapshots[3];
        for (int i = 0; i < 3; ++i) {
          auto bytes = key_->Open(std::string(rs->getString(3 + i)), ctx);
          if (!bytes.ok()) return bytes.status();
          snapshots[i].ParseFromString(*bytes);
        }
        const v1::Customer& survivor_before = snapshots[0];
        const v1::Customer& merged_before = snapshots[1];
        const v1::Customer& survivor_after = snapshots[2];
        auto moved_hex = key_->Open(std::string(rs->getString(6)), ctx);
        if (!moved_hex.ok()) return moved_hex.status();

        const bool survivor_first = survivor_id < merged_id;
        auto first = LockCustomer(conn, *key_, survivor_first ? survivor_id : merged_id);
        if (!first.ok()) return first.status();
        auto second = LockCustomer(conn, *key_, survivor_first ? merged_id : survivor_id);
        if (!second.ok()) return second.status();
        rows::CustomerRow& survivor = survivor_first ? *first : *second;
        rows::CustomerRow& merged = survivor_first ? *second : *first;
        if (survivor.customer.state() != v1::CUSTOMER_STATE_ACTIVE) {
          return Error(absl::StatusCode::kFailedPrecondition, "SURVIVOR_NOT_ACTIVE",
                       absl::StrCat("survivor ", survivor_id,
                                    " is no longer active; undo its later merge first"),
                       {{"customer_id", survivor_id}});
        }
        ChangeContext unmerge_context = context;
        unmerge_context.reason = absl::StrCat("unmerge ", merge_id, ": ", context.reason);

        // Survivor: fields still as the merge left them go back; later edits stay.
        const v1::Customer survivor_now = survivor.customer;
        const auto now_fields = FlattenCustomer(survivor_now);
        const auto after_fields = FlattenCustomer(survivor_after);
        std::set<std::string> fields;
        for (const auto* m : {&now_fields, &after_fields}) {
          for (const auto& [field, value] : *m) fields.insert(field);
        }
        for (const auto& [field, value] : FlattenCustomer(survivor_before)) fields.insert(field);
        auto value_of = [](const std::map<std::string, std::string>& m, const std::string& f) {
          auto it = m.find(f);
          return it == m.end() ? std::string() : it->second;
        };
        for (const std::string& field : fields) {
          if (value_of(now_fields, field) == value_of(after_fields, field)) {
            CopyField(survivor_before, field, survivor.customer);
          }
        }
        rows::WriteCustomer(conn, *key_, survivor, context.now);
        RecordChanges(conn, *key_, survivor_now, survivor.customer, unmerge_context);

        // The merged customer: exactly as before the merge.
        v1::Customer restored = merged_before;
        restored.set_state(v1::CUSTOMER_STATE_ACTIVE);
        restored.set_lifecycle_status(merged_before.lifecycle_status());
        merged.customer = restored;
        merged.merged_into.clear();
        rows::WriteCustomer(conn, *key_, merged, context.now);
        for (absl::string_view hex : absl::StrSplit(*moved_hex, ',', absl::SkipEmpty())) {
          MoveIdentifier(conn, absl::HexStringToBytes(hex), survivor_id, merged_id);
        }
        rows::InsertHistory(conn, *key_, merged_id, "merged_into", survivor_id, "",
                            unmerge_context);
        rows::InsertHistory(conn, *key_, survivor_id, "merged_from", merged_id, "",
                            unmerge_context);
        auto mark = Prepare(conn, "UPDATE merges SET undone_at = ? WHERE merge_id = ?");
        mark->setString(1, ToSqlDatetime(context.now));
        mark->setString(2, std::string(merge_id));
        mark->executeUpdate();
        for (const std::string& id : {survivor_id, merged_id}) {
          if (absl::Status s = rows::RefreshDerivedRows(conn, *key_, id); !s.ok()) return s;
        }
        events::Unmerged(conn, merge_id, survivor_id, merged_id);
        v1::UnmergeCustomersResponse response;
        response.mutable_survivor()->set_customer_id(survivor_id);
        response.mutable_restored()->set_customer_id(merged_id);
        return response;
      }, rows::WriteOptions());
  if (!done.ok()) return done.status();
  UnmergeOutcome outcome;
  for (auto [id, out] : {std::pair{done->survivor().customer_id(), &outcome.survivor},
                         std::pair{done->restored().customer_id(), &outcome.restored}}) {
    auto found = RunWithConnection<FoundCustomer>(*pool_, [&](sql::Connection& conn) {
      return rows::ReadLiveCustomer(conn, *key_, id);
    });
    if (!found.ok()) return found.status();
    *out = std::move(found->customer);
  }
  return outcome;
}

}  // namespace crm::identify
