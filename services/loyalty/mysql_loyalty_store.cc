#include "services/loyalty/mysql_loyalty_store.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/sql_util.h"
#include "common/transaction.h"

namespace crm::loyalty {

absl::StatusOr<v1::Program> MysqlLoyaltyStore::CreateProgram(const RequestKey& key,
                                                             const v1::Program& program) {
  return RunIdempotent<v1::Program>(
      *pool_, *clock_, key, [&](sql::Connection& conn) -> absl::StatusOr<v1::Program> {
        auto insert = Prepare(conn,
                              "INSERT INTO programs (program_id, display_name, currency_code, "
                              "points_per_currency_unit, created_at, updated_at) "
                              "VALUES (?, ?, ?, ?, ?, ?)");
        insert->setString(1, program.program_id());
        insert->setString(2, program.display_name());
        insert->setString(3, program.currency_code());
        insert->setUInt(4, program.points_per_currency_unit());
        insert->setString(5, ToSqlDatetime(FromProtoTimestamp(program.create_time())));
        insert->setString(6, ToSqlDatetime(FromProtoTimestamp(program.update_time())));
        insert->executeUpdate();
        return program;
      });
}

absl::StatusOr<v1::Program> MysqlLoyaltyStore::GetProgram(absl::string_view program_id) {
  return RunWithConnection<v1::Program>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<v1::Program> {
        auto query = Prepare(conn,
                             "SELECT display_name, currency_code, points_per_currency_unit, "
                             "created_at, updated_at FROM programs WHERE program_id = ?");
        query->setString(1, std::string(program_id));
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        if (!rs->next()) {
          return Error(absl::StatusCode::kNotFound, "PROGRAM_NOT_FOUND",
                       absl::StrCat("program ", program_id, " does not exist"),
                       {{"program_id", std::string(program_id)}});
        }
        v1::Program p;
        p.set_program_id(std::string(program_id));
        p.set_display_name(rs->getString(1));
        p.set_currency_code(rs->getString(2));
        p.set_points_per_currency_unit(rs->getUInt(3));
        ToProtoTimestamp(FromSqlDatetime(rs->getString(4)), p.mutable_create_time());
        ToProtoTimestamp(FromSqlDatetime(rs->getString(5)), p.mutable_update_time());
        return p;
      });
}

}  // namespace crm::loyalty
