#ifndef CRM_SERVICES_COMPLAINTS_MYSQL_COMPLAINTS_STORE_H_
#define CRM_SERVICES_COMPLAINTS_MYSQL_COMPLAINTS_STORE_H_

#include "common/clock.h"
#include "common/migrator.h"
#include "common/mysql_pool.h"
#include "services/complaints/complaints_store.h"

namespace crm::complaints {

// The schema the store needs: schema/*.sql, compiled in.
const std::vector<MigrationFile>& Migrations();

class MysqlComplaintsStore final : public ComplaintsStore {
 public:
  MysqlComplaintsStore(MysqlPool* pool, const Clock* clock) : pool_(pool), clock_(clock) {}

  absl::StatusOr<v1::Complaint> FileComplaint(const RequestKey& key,
                                              const v1::Complaint& complaint) override;
  absl::StatusOr<v1::Complaint> GetComplaint(absl::string_view complaint_id) override;

 private:
  MysqlPool* pool_;
  const Clock* clock_;
};

}  // namespace crm::complaints

#endif  // CRM_SERVICES_COMPLAINTS_MYSQL_COMPLAINTS_STORE_H_
