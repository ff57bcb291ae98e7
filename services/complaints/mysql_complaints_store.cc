#include "services/complaints/mysql_complaints_store.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/sql_util.h"
#include "common/transaction.h"
#include "services/complaints/complaint_rows.h"

namespace crm::complaints {

absl::StatusOr<v1::Complaint> MysqlComplaintsStore::Create(const RequestKey& key,
                                                          ComplaintRecord& record) {
  return RunIdempotent<v1::Complaint>(
      *pool_, *clock_, key, [&](sql::Connection& conn) -> absl::StatusOr<v1::Complaint> {
        InsertRecord(conn, record, clock_->Now());
        return record.complaint;
      });
}

absl::StatusOr<ComplaintRecord> MysqlComplaintsStore::Load(absl::string_view complaint_id) {
  return RunInTransaction<ComplaintRecord>(
      *pool_,
      [&](sql::Connection& conn) { return ReadRecord(conn, complaint_id, /*lock=*/false); });
}

absl::StatusOr<v1::Complaint> MysqlComplaintsStore::Update(const RequestKey& key,
                                                          absl::string_view complaint_id,
                                                          const Change& change,
                                                          bool skip_locked) {
  return RunIdempotent<v1::Complaint>(
      *pool_, *clock_, key, [&](sql::Connection& conn) -> absl::StatusOr<v1::Complaint> {
        auto record = ReadRecord(conn, complaint_id, /*lock=*/true, skip_locked);
        if (!record.ok()) return record.status();
        if (absl::Status s = change(*record); !s.ok()) return s;
        WriteRecord(conn, *record, clock_->Now());
        return record->complaint;
      });
}

absl::StatusOr<std::vector<v1::Complaint>> MysqlComplaintsStore::List(
    const ComplaintFilter& f) {
  std::string sql =
      "SELECT complaint_id, details, COALESCE(customer_id, ''), channel, subject, description, "
      "desired_outcome, status, created_at, updated_at FROM complaints WHERE complaint_id < ?";
  if (f.status != v1::COMPLAINT_STATUS_UNSPECIFIED) absl::StrAppend(&sql, " AND status = ?");
  if (!f.team.empty()) absl::StrAppend(&sql, " AND team = ?");
  if (!f.agent.empty()) absl::StrAppend(&sql, " AND agent = ?");
  if (!f.customer_id.empty()) absl::StrAppend(&sql, " AND customer_id = ?");
  if (!f.category.empty()) absl::StrAppend(&sql, " AND category = ?");
  if (f.overdue) {
    absl::StrAppend(&sql,
                    " AND status NOT IN (7, 8, 9) AND paused = 0 AND "
                    "(resolution_due < ? OR (first_response_at IS NULL AND "
                    "first_response_due < ?))");
  }
  absl::StrAppend(&sql, " ORDER BY complaint_id DESC LIMIT ?");
  return RunWithConnection<std::vector<v1::Complaint>>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<std::vector<v1::Complaint>> {
        auto query = Prepare(conn, sql);  // one text per combination of filters
        int i = 1;
        query->setString(i++, f.after_id.empty() ? std::string("~") : f.after_id);
        if (f.status != v1::COMPLAINT_STATUS_UNSPECIFIED) query->setInt(i++, f.status);
        if (!f.team.empty()) query->setString(i++, f.team);
        if (!f.agent.empty()) query->setString(i++, f.agent);
        if (!f.customer_id.empty()) query->setString(i++, f.customer_id);
        if (!f.category.empty()) query->setString(i++, f.category);
        if (f.overdue) {
          query->setString(i++, ToSqlDatetime(f.now));
          query->setString(i++, ToSqlDatetime(f.now));
        }
        query->setInt(i++, f.limit);
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        std::vector<v1::Complaint> out;
        while (rs->next()) {
          v1::Complaint& c = out.emplace_back();
          if (!rs->isNull(2)) c.ParseFromString(rs->getString(2));
          c.set_complaint_id(rs->getString(1));
          c.set_customer_id(rs->getString(3));
          c.set_channel(static_cast<v1::Channel>(rs->getInt(4)));
          c.set_subject(rs->getString(5));
          c.set_description(rs->getString(6));
          c.set_desired_outcome(rs->getString(7));
          c.set_status(static_cast<v1::ComplaintStatus>(rs->getInt(8)));
          ToProtoTimestamp(FromSqlDatetime(rs->getString(9)), c.mutable_create_time());
          ToProtoTimestamp(FromSqlDatetime(rs->getString(10)), c.mutable_update_time());
        }
        return out;
      });
}

absl::StatusOr<std::vector<std::string>> MysqlComplaintsStore::DueForCheck(absl::Time as_of,
                                                                         int limit) {
  return RunWithConnection<std::vector<std::string>>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<std::vector<std::string>> {
        auto query = Prepare(conn,
                             "SELECT complaint_id FROM complaints WHERE next_check_at <= ? "
                             "ORDER BY next_check_at LIMIT ?");
        query->setString(1, ToSqlDatetime(as_of));
        query->setInt(2, limit);
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        std::vector<std::string> ids;
        while (rs->next()) ids.push_back(rs->getString(1));
        return ids;
      });
}

absl::Status MysqlComplaintsStore::CheckClassAgain(absl::string_view sla_class, absl::Time at) {
  return RunWithConnection(*pool_, [&](sql::Connection& conn) -> absl::Status {
    auto update = Prepare(conn,
                          "UPDATE complaints SET next_check_at = ? WHERE sla_class = ? AND "
                          "status NOT IN (7, 8, 9) AND (next_check_at IS NULL OR "
                          "next_check_at > ?)");
    update->setString(1, ToSqlDatetime(at));
    update->setString(2, std::string(sla_class));
    update->setString(3, ToSqlDatetime(at));
    update->executeUpdate();
    return absl::OkStatus();
  });
}

}  // namespace crm::complaints
