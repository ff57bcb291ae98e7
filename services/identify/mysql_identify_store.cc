#include "services/identify/mysql_identify_store.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/sql_util.h"
#include "common/transaction.h"

namespace crm::identify {
absl::StatusOr<v1::Customer> MysqlIdentifyStore::CreateCustomer(const RequestKey& key,
                                                                 const v1::Customer& customer) {
  return RunIdempotent<v1::Customer>(
      *pool_, *clock_, key, [&](sql::Connection& conn) -> absl::StatusOr<v1::Customer> {
        auto insert = Prepare(conn,
                              "INSERT INTO customers (customer_id, kind, category, display_name, "
                              "lifecycle_status, version, created_at, updated_at) "
                              "VALUES (?, ?, ?, ?, ?, 1, ?, ?)");
        insert->setString(1, customer.customer_id());
        insert->setInt(2, customer.kind());
        insert->setInt(3, customer.category());
        insert->setString(4, customer.display_name());
        insert->setInt(5, customer.lifecycle_status());
        insert->setString(6, ToSqlDatetime(FromProtoTimestamp(customer.create_time())));
        insert->setString(7, ToSqlDatetime(FromProtoTimestamp(customer.update_time())));
        insert->executeUpdate();
        return customer;
      });
}

absl::StatusOr<v1::Customer> MysqlIdentifyStore::GetCustomer(absl::string_view customer_id) {
  return RunWithConnection<v1::Customer>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<v1::Customer> {
        auto query = Prepare(conn,
                             "SELECT kind, category, display_name, lifecycle_status, version, "
                             "created_at, updated_at FROM customers WHERE customer_id = ?");
        query->setString(1, std::string(customer_id));
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        if (!rs->next()) {
          return Error(absl::StatusCode::kNotFound, "CUSTOMER_NOT_FOUND",
                       absl::StrCat("customer ", customer_id, " does not exist"),
                       {{"customer_id", std::string(customer_id)}});
        }
        v1::Customer c;
        c.set_customer_id(std::string(customer_id));
        c.set_kind(static_cast<v1::CustomerKind>(rs->getInt(1)));
        c.set_category(static_cast<v1::CustomerCategory>(rs->getInt(2)));
        c.set_display_name(rs->getString(3));
        c.set_lifecycle_status(static_cast<v1::LifecycleStatus>(rs->getInt(4)));
        c.set_etag(absl::StrCat(rs->getInt64(5)));
        ToProtoTimestamp(FromSqlDatetime(rs->getString(6)), c.mutable_create_time());
        ToProtoTimestamp(FromSqlDatetime(rs->getString(7)), c.mutable_update_time());
        return c;
      });
}

}  // namespace crm::identify
