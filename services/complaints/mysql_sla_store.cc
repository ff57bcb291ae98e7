// MysqlComplaintsStore: SLA configuration, pending calls and metric facts.
#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/sql_util.h"
#include "common/transaction.h"
#include "services/complaints/mysql_complaints_store.h"

namespace crm::complaints {
namespace {

std::optional<absl::Time> OptionalTime(sql::ResultSet& rs, int column) {
  if (rs.isNull(column)) return std::nullopt;
  return FromSqlDatetime(rs.getString(column));
}

std::optional<bool> OptionalBool(sql::ResultSet& rs, int column) {
  if (rs.isNull(column)) return std::nullopt;
  return rs.getInt(column) != 0;
}

}  // namespace

absl::StatusOr<std::vector<PendingCall>> MysqlComplaintsStore::ClaimPendingCalls(
    absl::Time now, absl::Duration lease, int limit, const std::string& token) {
  return RunInTransaction<std::vector<PendingCall>>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<std::vector<PendingCall>> {
        auto query = Prepare(conn,
                             "SELECT complaint_id, kind, payload, attempts FROM pending_calls "
                             "WHERE next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ? "
                             "FOR UPDATE SKIP LOCKED");
        query->setString(1, ToSqlDatetime(now));
        query->setInt(2, limit);
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        std::vector<PendingCall> calls;
        while (rs->next()) {
          calls.push_back({rs->getString(1), static_cast<PendingKind>(rs->getInt(2)),
                           rs->getString(3), rs->getInt(4), {}, ""});
        }
        rs.reset();
        auto claim = Prepare(conn,
                             "UPDATE pending_calls SET next_attempt_at = ?, claim_token = ?, "
                             "attempts = attempts + 1 WHERE complaint_id = ? AND kind = ?");
        for (PendingCall& call : calls) {
          claim->setString(1, ToSqlDatetime(now + lease));
          claim->setString(2, token);
          claim->setString(3, call.complaint_id);
          claim->setInt(4, static_cast<int>(call.kind));
          claim->executeUpdate();
          ++call.attempts;
          call.claim_token = token;
        }
        return calls;
      });
}

absl::Status MysqlComplaintsStore::RetryPendingCallAt(const PendingCall& call,
                                                      absl::Time retry_at,
                                                      absl::string_view error) {
  return RunWithConnection(*pool_, [&](sql::Connection& conn) -> absl::Status {
    auto update = Prepare(conn,
                          "UPDATE pending_calls SET next_attempt_at = ?, last_error = ?, "
                          "claim_token = NULL WHERE complaint_id = ? AND kind = ? AND "
                          "claim_token <=> NULLIF(?, '')");
    update->setString(1, ToSqlDatetime(retry_at));
    update->setString(2, std::string(error.substr(0, 500)));
    update->setString(3, call.complaint_id);
    update->setInt(4, static_cast<int>(call.kind));
    update->setString(5, call.claim_token);
    update->executeUpdate();
    return absl::OkStatus();
  });
}

absl::Status MysqlComplaintsStore::FinishPendingCall(const PendingCall& call) {
  return RunWithConnection(*pool_, [&](sql::Connection& conn) -> absl::Status {
    auto remove = Prepare(conn,
                          "DELETE FROM pending_calls WHERE complaint_id = ? AND kind = ? AND "
                          "claim_token <=> NULLIF(?, '')");
    remove->setString(1, call.complaint_id);
    remove->setInt(2, static_cast<int>(call.kind));
    remove->setString(3, call.claim_token);
    remove->executeUpdate();
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::BusinessCalendar> MysqlComplaintsStore::PutCalendar(
    const v1::BusinessCalendar& calendar) {
  return RunWithConnection<v1::BusinessCalendar>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<v1::BusinessCalendar> {
        auto upsert = Prepare(conn,
                              "INSERT INTO business_calendars (calendar_id, body, updated_at) "
                              "VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE body = VALUES(body), "
                              "updated_at = VALUES(updated_at)");
        std::istringstream body(calendar.SerializeAsString());
        upsert->setString(1, calendar.calendar_id());
        upsert->setBlob(2, &body);
        upsert->setString(3, ToSqlDatetime(FromProtoTimestamp(calendar.update_time())));
        upsert->executeUpdate();
        return calendar;
      });
}

absl::StatusOr<v1::BusinessCalendar> MysqlComplaintsStore::GetCalendar(
    absl::string_view calendar_id) {
  return RunWithConnection<v1::BusinessCalendar>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<v1::BusinessCalendar> {
        auto query = Prepare(conn, "SELECT body FROM business_calendars WHERE calendar_id = ?");
        query->setString(1, std::string(calendar_id));
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        if (!rs->next()) {
          return Error(absl::StatusCode::kNotFound, "CALENDAR_NOT_FOUND",
                       absl::StrCat("no business calendar ", calendar_id),
                       {{"calendar_id", std::string(calendar_id)}});
        }
        v1::BusinessCalendar calendar;
        calendar.ParseFromString(rs->getString(1));
        return calendar;
      });
}

absl::StatusOr<v1::SlaPolicy> MysqlComplaintsStore::PutPolicy(const v1::SlaPolicy& policy) {
  return RunInTransaction<v1::SlaPolicy>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<v1::SlaPolicy> {
        auto current = Prepare(conn,
                               "SELECT version FROM sla_policies WHERE sla_class = ? FOR UPDATE");
        current->setString(1, policy.sla_class());
        std::unique_ptr<sql::ResultSet> rs(current->executeQuery());
        v1::SlaPolicy stored = policy;
        stored.set_version(rs->next() ? rs->getInt64(1) + 1 : 1);
        rs.reset();
        auto upsert = Prepare(conn,
                              "INSERT INTO sla_policies (sla_class, version, body, updated_at) "
                              "VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
                              "version = VALUES(version), body = VALUES(body), "
                              "updated_at = VALUES(updated_at)");
        std::istringstream body(stored.SerializeAsString());
        upsert->setString(1, stored.sla_class());
        upsert->setInt64(2, stored.version());
        upsert->setBlob(3, &body);
        upsert->setString(4, ToSqlDatetime(FromProtoTimestamp(stored.update_time())));
        upsert->executeUpdate();
        return stored;
      });
}

absl::StatusOr<v1::SlaPolicy> MysqlComplaintsStore::GetPolicy(absl::string_view sla_class) {
  return RunWithConnection<v1::SlaPolicy>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<v1::SlaPolicy> {
        auto query = Prepare(conn, "SELECT body FROM sla_policies WHERE sla_class = ?");
        query->setString(1, std::string(sla_class));
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        if (!rs->next()) {
          return Error(absl::StatusCode::kNotFound, "SLA_POLICY_NOT_FOUND",
                       absl::StrCat("no SLA policy for class ", sla_class),
                       {{"sla_class", std::string(sla_class)}});
        }
        v1::SlaPolicy policy;
        policy.ParseFromString(rs->getString(1));
        return policy;
      });
}

absl::StatusOr<std::vector<ComplaintFacts>> MysqlComplaintsStore::FactsFiledIn(absl::Time start,
                                                                             absl::Time end) {
  return RunWithConnection<std::vector<ComplaintFacts>>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<std::vector<ComplaintFacts>> {
        auto query = Prepare(
            conn,
            "SELECT COALESCE(customer_id, ''), COALESCE(category, ''), COALESCE(root_cause, ''), "
            "COALESCE(team, ''), COALESCE(tier, ''), channel, created_at, first_response_at, "
            "resolved_at, first_response_met, resolution_met, first_contact, reopen_count, "
            "COALESCE(satisfaction, 0) FROM complaints WHERE created_at >= ? AND created_at < ?");
        query->setString(1, ToSqlDatetime(start));
        query->setString(2, ToSqlDatetime(end));
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        std::vector<ComplaintFacts> facts;
        while (rs->next()) {
          ComplaintFacts& f = facts.emplace_back();
          f.customer_id = rs->getString(1);
          f.category = rs->getString(2);
          f.root_cause = rs->getString(3);
          f.team = rs->getString(4);
          f.tier = rs->getString(5);
          f.channel = static_cast<v1::Channel>(rs->getInt(6));
          f.created = FromSqlDatetime(rs->getString(7));
          f.first_response_at = OptionalTime(*rs, 8);
          f.resolved_at = OptionalTime(*rs, 9);
          f.first_response_met = OptionalBool(*rs, 10);
          f.resolution_met = OptionalBool(*rs, 11);
          f.first_contact = rs->getInt(12) != 0;
          f.reopen_count = rs->getInt(13);
          f.satisfaction = rs->getInt(14);
        }
        return facts;
      });
}

}  // namespace crm::complaints
