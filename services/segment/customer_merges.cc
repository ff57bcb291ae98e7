#include "services/segment/customer_merges.h"

#include "common/sql_util.h"

namespace crm::segment {
namespace {

void Run(sql::Connection& conn, const std::string& sql, const std::vector<std::string>& args) {
  auto stmt = Prepare(conn, sql);
  for (size_t i = 0; i < args.size(); ++i) stmt->setString(static_cast<int>(i + 1), args[i]);
  stmt->executeUpdate();
}

// Adds what merge `merge_id` moved (days and complaint counters) to `customer`.
void AddMoved(sql::Connection& conn, const std::string& customer, const std::string& merge_id) {
  Run(conn,
      "INSERT INTO customer_purchase_days (customer_id, day, cents, purchases) "
      "SELECT ?, day, cents, purchases FROM merge_moved_days WHERE merge_id = ? "
      "ON DUPLICATE KEY UPDATE cents = customer_purchase_days.cents + VALUES(cents), "
      "purchases = customer_purchase_days.purchases + VALUES(purchases)",
      {customer, merge_id});
  Run(conn,
      "INSERT INTO customer_complaints (customer_id, filed, resolved, reopened, last_filed, "
      "satisfaction_sum, satisfaction_count) "
      "SELECT ?, filed, resolved, reopened, last_filed, satisfaction_sum, satisfaction_count "
      "FROM merge_moved_complaints WHERE merge_id = ? "
      "ON DUPLICATE KEY UPDATE filed = customer_complaints.filed + VALUES(filed), "
      "resolved = customer_complaints.resolved + VALUES(resolved), "
      "reopened = customer_complaints.reopened + VALUES(reopened), "
      "last_filed = GREATEST(COALESCE(customer_complaints.last_filed, VALUES(last_filed)), "
      "COALESCE(VALUES(last_filed), customer_complaints.last_filed)), "
      "satisfaction_sum = customer_complaints.satisfaction_sum + VALUES(satisfaction_sum), "
      "satisfaction_count = customer_complaints.satisfaction_count + VALUES(satisfaction_count)",
      {customer, merge_id});
}

}  // namespace

void MergeAggregates(sql::Connection& conn, const identify::v1::CustomerMerged& m, absl::Time) {
  const std::string& id = m.merge_id();
  const std::string& survivor = m.survivor_id();
  const std::string& merged = m.merged_id();
  Run(conn,
      "INSERT IGNORE INTO merge_moved_days (merge_id, day, cents, purchases) "
      "SELECT ?, day, cents, purchases FROM customer_purchase_days WHERE customer_id = ?",
      {id, merged});
  Run(conn, "DELETE FROM customer_purchase_days WHERE customer_id = ?", {merged});
  // Always a row: later events of the merged customer add to it.
  Run(conn,
      "INSERT IGNORE INTO merge_moved_complaints (merge_id, filed, resolved, reopened, "
      "last_filed, satisfaction_sum, satisfaction_count, survivor_last_filed_before) "
      "SELECT ?, COALESCE(m.filed, 0), COALESCE(m.resolved, 0), COALESCE(m.reopened, 0), "
      "m.last_filed, COALESCE(m.satisfaction_sum, 0), COALESCE(m.satisfaction_count, 0), "
      "(SELECT last_filed FROM customer_complaints WHERE customer_id = ?) "
      "FROM (SELECT 1) one LEFT JOIN customer_complaints m ON m.customer_id = ?",
      {id, survivor, merged});
  AddMoved(conn, survivor, id);
  Run(conn,
      "UPDATE merge_moved_complaints SET survivor_last_filed_after = "
      "(SELECT last_filed FROM customer_complaints WHERE customer_id = ?) WHERE merge_id = ?",
      {survivor, id});
  Run(conn, "DELETE FROM customer_complaints WHERE customer_id = ?", {merged});
  Run(conn, "DELETE FROM customer_values WHERE customer_id = ?", {merged});
  Run(conn,
      "INSERT INTO merge_redirects (merged_id, survivor_id, merge_id) VALUES (?, ?, ?) "
      "ON DUPLICATE KEY UPDATE survivor_id = VALUES(survivor_id), merge_id = VALUES(merge_id)",
      {merged, survivor, id});
}

void UnmergeAggregates(sql::Connection& conn, const identify::v1::CustomerUnmerged& u,
                       absl::Time) {
  const std::string& id = u.merge_id();
  const std::string& survivor = u.survivor_id();
  const std::string& restored = u.restored_id();
  Run(conn,
      "UPDATE customer_purchase_days d JOIN merge_moved_days m ON m.day = d.day "
      "SET d.cents = d.cents - m.cents, d.purchases = d.purchases - m.purchases "
      "WHERE m.merge_id = ? AND d.customer_id = ?",
      {id, survivor});
  Run(conn,
      "DELETE d FROM customer_purchase_days d JOIN merge_moved_days m ON m.day = d.day "
      "WHERE m.merge_id = ? AND d.customer_id = ? AND d.cents = 0 AND d.purchases = 0",
      {id, survivor});
  // last_filed goes back only if no complaint of the survivor moved it since.
  Run(conn,
      "UPDATE customer_complaints c JOIN merge_moved_complaints m ON m.merge_id = ? "
      "SET c.filed = c.filed - m.filed, c.resolved = c.resolved - m.resolved, "
      "c.reopened = c.reopened - m.reopened, "
      "c.satisfaction_sum = c.satisfaction_sum - m.satisfaction_sum, "
      "c.satisfaction_count = c.satisfaction_count - m.satisfaction_count, "
      "c.last_filed = IF(c.last_filed <=> m.survivor_last_filed_after, "
      "m.survivor_last_filed_before, c.last_filed) "
      "WHERE c.customer_id = ?",
      {id, survivor});
  Run(conn,
      "DELETE FROM customer_complaints WHERE customer_id = ? AND filed = 0 AND resolved = 0 "
      "AND reopened = 0 AND satisfaction_count = 0",
      {survivor});
  AddMoved(conn, restored, id);
  Run(conn, "DELETE FROM merge_redirects WHERE merge_id = ?", {id});
  Run(conn, "DELETE FROM merge_moved_days WHERE merge_id = ?", {id});
  Run(conn, "DELETE FROM merge_moved_complaints WHERE merge_id = ?", {id});
}

}  // namespace crm::segment
