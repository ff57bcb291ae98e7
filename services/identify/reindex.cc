#include "services/identify/reindex.h"

#include <memory>
#include <vector>

#include "common/sql_util.h"
#include "common/transaction.h"
#include "cppconn/resultset.h"
#include "services/identify/customer_rows.h"

namespace crm::identify {

absl::StatusOr<ReindexProgress> ReindexCustomers(
    MysqlPool& pool, const DataKey& key, const std::string& after_id, int batch_size,
    absl::FunctionRef<void(const ReindexProgress&)> on_batch) {
  ReindexProgress progress;
  progress.last_id = after_id;
  for (;;) {
    std::vector<std::string> ids;
    absl::Status done = RunInTransaction(pool, [&](sql::Connection& conn) -> absl::Status {
      ids.clear();
      auto batch = Prepare(conn,
                           "SELECT customer_id FROM customers WHERE customer_id > ? "
                           "ORDER BY customer_id LIMIT ? FOR UPDATE");
      batch->setString(1, progress.last_id);
      batch->setInt(2, batch_size);
      std::unique_ptr<sql::ResultSet> rs(batch->executeQuery());
      while (rs->next()) ids.push_back(rs->getString(1));
      for (const std::string& id : ids) {
        if (absl::Status s = rows::RefreshDerivedRows(conn, key, id); !s.ok()) return s;
      }
      return absl::OkStatus();
    }, rows::WriteOptions());
    if (!done.ok()) return done;
    if (ids.empty()) return progress;
    progress.customers += static_cast<int64_t>(ids.size());
    progress.last_id = ids.back();
    on_batch(progress);
  }
}

}  // namespace crm::identify
