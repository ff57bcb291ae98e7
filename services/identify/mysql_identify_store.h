#ifndef CRM_SERVICES_IDENTIFY_MYSQL_IDENTIFY_STORE_H_
#define CRM_SERVICES_IDENTIFY_MYSQL_IDENTIFY_STORE_H_

#include "absl/strings/string_view.h"
#include "common/clock.h"
#include "common/migrator.h"
#include "common/mysql_pool.h"
#include "services/identify/identify_store.h"

namespace crm::identify {

// The schema the store needs: schema/*.sql, compiled in.
const std::vector<MigrationFile>& Migrations();

class MysqlIdentifyStore final : public IdentifyStore {
 public:
  MysqlIdentifyStore(MysqlPool* pool, const Clock* clock) : pool_(pool), clock_(clock) {}

  absl::StatusOr<v1::Customer> CreateCustomer(const RequestKey& key,
                                              const v1::Customer& customer) override;
  absl::StatusOr<v1::Customer> GetCustomer(absl::string_view customer_id) override;

 private:
  MysqlPool* pool_;
  const Clock* clock_;
};

}  // namespace crm::identify

#endif  // CRM_SERVICES_IDENTIFY_MYSQL_IDENTIFY_STORE_H_
