#ifndef CRM_SERVICES_LOYALTY_MYSQL_LOYALTY_STORE_H_
#define CRM_SERVICES_LOYALTY_MYSQL_LOYALTY_STORE_H_

#include "common/clock.h"
#include "common/migrator.h"
#include "common/mysql_pool.h"
#include "services/loyalty/loyalty_store.h"

namespace crm::loyalty {

// The schema the store needs: schema/*.sql, compiled in.
const std::vector<MigrationFile>& Migrations();

class MysqlLoyaltyStore final : public LoyaltyStore {
 public:
  MysqlLoyaltyStore(MysqlPool* pool, const Clock* clock) : pool_(pool), clock_(clock) {}

  absl::StatusOr<v1::Program> CreateProgram(const RequestKey& key,
                                            const v1::Program& program) override;
  absl::StatusOr<v1::Program> GetProgram(absl::string_view program_id) override;

 private:
  MysqlPool* pool_;
  const Clock* clock_;
};

}  // namespace crm::loyalty

#endif  // CRM_SERVICES_LOYALTY_MYSQL_LOYALTY_STORE_H_
