#ifndef CRM_SERVICES_COMPLAINTS_MYSQL_COMPLAINTS_STORE_H_
#define CRM_SERVICES_COMPLAINTS_MYSQL_COMPLAINTS_STORE_H_

#include "common/clock.h"
#include "common/mysql_pool.h"
#include "services/complaints/complaints_store.h"

namespace crm::complaints {

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
