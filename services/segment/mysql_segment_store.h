#ifndef CRM_SERVICES_SEGMENT_MYSQL_SEGMENT_STORE_H_
#define CRM_SERVICES_SEGMENT_MYSQL_SEGMENT_STORE_H_

#include "common/migrator.h"
#include "common/mysql_pool.h"
#include "services/segment/segment_store.h"

namespace crm::segment {

// The schema the store needs: schema/*.sql, compiled in.
const std::vector<MigrationFile>& Migrations();

class MysqlSegmentStore final : public SegmentStore {
 public:
  explicit MysqlSegmentStore(MysqlPool* pool) : pool_(pool) {}

  absl::Status PutTierPolicy(const v1::TierPolicy& policy) override;
  absl::StatusOr<v1::TierPolicy> GetTierPolicy(absl::string_view tier) override;
  absl::StatusOr<v1::CustomerTier> AssignTier(const v1::CustomerTier& tier) override;
  absl::StatusOr<v1::CustomerTier> GetTier(absl::string_view customer_id) override;

 private:
  MysqlPool* pool_;
};

}  // namespace crm::segment

#endif  // CRM_SERVICES_SEGMENT_MYSQL_SEGMENT_STORE_H_
