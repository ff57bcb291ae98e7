#include "services/complaints/customer_merges.h"

#include "common/sql_util.h"

namespace crm::complaints {

void MoveToSurvivor(sql::Connection& conn, const identify::v1::CustomerMerged& merge,
                    absl::Time now) {
  auto remember = Prepare(conn,
                          "INSERT IGNORE INTO merge_moves (merge_id, complaint_id, from_customer) "
                          "SELECT ?, complaint_id, customer_id FROM complaints "
                          "WHERE customer_id = ?");
  remember->setString(1, merge.merge_id());
  remember->setString(2, merge.merged_id());
  remember->executeUpdate();
  auto move = Prepare(conn,
                      "UPDATE complaints SET customer_id = ?, updated_at = ? "
                      "WHERE customer_id = ?");
  move->setString(1, merge.survivor_id());
  move->setString(2, ToSqlDatetime(now));
  move->setString(3, merge.merged_id());
  move->executeUpdate();
}

void MoveBack(sql::Connection& conn, const identify::v1::CustomerUnmerged& unmerge,
              absl::Time now) {
  auto back = Prepare(conn,
                      "UPDATE complaints c JOIN merge_moves m ON m.complaint_id = c.complaint_id "
                      "SET c.customer_id = m.from_customer, c.updated_at = ? "
                      "WHERE m.merge_id = ? AND c.customer_id = ?");
  back->setString(1, ToSqlDatetime(now));
  back->setString(2, unmerge.merge_id());
  back->setString(3, unmerge.survivor_id());
  back->executeUpdate();
  auto forget = Prepare(conn, "DELETE FROM merge_moves WHERE merge_id = ?");
  forget->setString(1, unmerge.merge_id());
  forget->executeUpdate();
}

}  // namespace crm::complaints
