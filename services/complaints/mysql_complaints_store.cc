#include "services/complaints/mysql_complaints_store.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/sql_util.h"
#include "common/transaction.h"

namespace crm::complaints {

absl::StatusOr<v1::Complaint> MysqlComplaintsStore::FileComplaint(
    const RequestKey& key, const v1::Complaint& complaint) {
  return RunIdempotent<v1::Complaint>(
      *pool_, *clock_, key, [&](sql::Connection& conn) -> absl::StatusOr<v1::Complaint> {
        auto insert = Prepare(conn,
                              "INSERT INTO complaints (complaint_id, customer_id, channel, "
                              "subject, description, desired_outcome, status, created_at, "
                              "updated_at) VALUES (?, NULLIF(?, ''), ?, ?, ?, ?, ?, ?, ?)");
        insert->setString(1, complaint.complaint_id());
        insert->setString(2, complaint.customer_id());
        insert->setInt(3, complaint.channel());
        insert->setString(4, complaint.subject());
        insert->setString(5, complaint.description());
        insert->setString(6, complaint.desired_outcome());
        insert->setInt(7, complaint.status());
        insert->setString(8, ToSqlDatetime(FromProtoTimestamp(complaint.create_time())));
        insert->setString(9, ToSqlDatetime(FromProtoTimestamp(complaint.update_time())));
        insert->executeUpdate();
        return complaint;
      });
}

absl::StatusOr<v1::Complaint> MysqlComplaintsStore::GetComplaint(
    absl::string_view complaint_id) {
  return RunWithConnection<v1::Complaint>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<v1::Complaint> {
        auto query = Prepare(conn,
                             "SELECT COALESCE(customer_id, ''), channel, subject, description, "
                             "desired_outcome, status, created_at, updated_at "
                             "FROM complaints WHERE complaint_id = ?");
        query->setString(1, std::string(complaint_id));
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        if (!rs->next()) {
          return Error(absl::StatusCode::kNotFound, "COMPLAINT_NOT_FOUND",
                       absl::StrCat("complaint ", complaint_id, " does not exist"),
                       {{"complaint_id", std::string(complaint_id)}});
        }
        v1::Complaint c;
        c.set_complaint_id(std::string(complaint_id));
        c.set_customer_id(rs->getString(1));
        c.set_channel(static_cast<v1::Channel>(rs->getInt(2)));
        c.set_subject(rs->getString(3));
        c.set_description(rs->getString(4));
        c.set_desired_outcome(rs->getString(5));
        c.set_status(static_cast<v1::ComplaintStatus>(rs->getInt(6)));
        ToProtoTimestamp(FromSqlDatetime(rs->getString(7)), c.mutable_create_time());
        ToProtoTimestamp(FromSqlDatetime(rs->getString(8)), c.mutable_update_time());
        return c;
      });
}

}  // namespace crm::complaints
