#ifndef CRM_COMMON_FEED_CHECKPOINT_H_
#define CRM_COMMON_FEED_CHECKPOINT_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/mysql_pool.h"
#include "cppconn/connection.h"

namespace crm {

// The consumer's side of another service's change feed: per source, how far
// it has been applied and which replica follows it, in the consumer's own
// schema (common/schema/feed_checkpoints.sql).

// Takes or renews the lease of `source` for `holder` until `until` and
// returns the checkpoint; FAILED_PRECONDITION / FEED_LEASED while another
// replica holds an unexpired lease.
absl::StatusOr<int64_t> AcquireFeedLease(MysqlPool& pool, const std::string& source,
                                         const std::string& holder, absl::Time now,
                                         absl::Time until);

// Inside the caller's transaction, with the effects of the events it covers:
// moves the checkpoint from `after_seq` to `last_seq`; ABORTED /
// CHECKPOINT_MOVED when it is no longer at `after_seq` or no longer
// `holder`'s (the caller rolls back).
absl::Status AdvanceFeedCheckpoint(sql::Connection& conn, const std::string& source,
                                   const std::string& holder, int64_t after_seq, int64_t last_seq,
                                   absl::Time now);

}  // namespace crm

#endif  // CRM_COMMON_FEED_CHECKPOINT_H_
