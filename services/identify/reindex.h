#ifndef CRM_SERVICES_IDENTIFY_REINDEX_H_
#define CRM_SERVICES_IDENTIFY_REINDEX_H_

#include <cstdint>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "common/data_key.h"
#include "common/mysql_pool.h"

namespace crm::identify {

struct ReindexProgress {
  int64_t customers = 0;
  std::string last_id;  // pass as `after_id` to continue from here
};

// Rewrites every customer's derived rows (the sealed read view, the match
// record and the blocking keys) from its data: after an upgrade that adds
// one, or after a change to the blocking keys. Walks the customers in id
// order after `after_id`, `batch_size` to a transaction that locks them, so
// it runs safely beside the serving replicas and can be resumed.
absl::StatusOr<ReindexProgress> ReindexCustomers(
    MysqlPool& pool, const DataKey& key, const std::string& after_id, int batch_size,
    absl::FunctionRef<void(const ReindexProgress&)> on_batch);

}  // namespace crm::identify

#endif  // CRM_SERVICES_IDENTIFY_REINDEX_H_
