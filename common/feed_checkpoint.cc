#include "common/feed_checkpoint.h"

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/sql_util.h"
#include "common/transaction.h"

namespace crm {

absl::StatusOr<int64_t> AcquireFeedLease(MysqlPool& pool, const std::string& source,
                                         const std::string& holder, absl::Time now,
                                         absl::Time until) {
  return RunInTransaction<int64_t>(pool, [&](sql::Connection& conn) -> absl::StatusOr<int64_t> {
    auto create = Prepare(conn,
                          "INSERT IGNORE INTO feed_checkpoints (source, last_seq, updated_at) "
                          "VALUES (?, 0, ?)");
    create->setString(1, source);
    create->setString(2, ToSqlDatetime(now));
    create->executeUpdate();
    auto read = Prepare(conn,
                        "SELECT last_seq, holder, lease_until FROM feed_checkpoints "
                        "WHERE source = ? FOR UPDATE");
    read->setString(1, source);
    std::unique_ptr<sql::ResultSet> rs(read->executeQuery());
    rs->next();
    const int64_t last_seq = rs->getInt64(1);
    const std::string current = rs->getString(2);
    const bool expired = rs->isNull(3) || FromSqlDatetime(rs->getString(3)) < now;
    rs.reset();
    if (current != holder && !current.empty() && !expired) {
      return Error(absl::StatusCode::kFailedPrecondition, "FEED_LEASED",
                   absl::StrCat(source, " is followed by ", current), {{"holder", current}});
    }
    auto lease = Prepare(conn,
                         "UPDATE feed_checkpoints SET holder = ?, lease_until = ? "
                         "WHERE source = ?");
    lease->setString(1, holder);
    lease->setString(2, ToSqlDatetime(until));
    lease->setString(3, source);
    lease->executeUpdate();
    return last_seq;
  });
}

absl::Status AdvanceFeedCheckpoint(sql::Connection& conn, const std::string& source,
                                   const std::string& holder, int64_t after_seq, int64_t last_seq,
                                   absl::Time now) {
  auto move = Prepare(conn,
                      "UPDATE feed_checkpoints SET last_seq = ?, updated_at = ? "
                      "WHERE source = ? AND last_seq = ? AND holder = ?");
  move->setInt64(1, last_seq);
  move->setString(2, ToSqlDatetime(now));
  move->setString(3, source);
  move->setInt64(4, after_seq);
  move->setString(5, holder);
  if (move->executeUpdate() == 1) return absl::OkStatus();
  return Error(
      absl::StatusCode::kAborted, "CHECKPOINT_MOVED",
      absl::StrCat("the checkpoint of ", source, " moved or its lease passed to another replica"));
}

}  // namespace crm
