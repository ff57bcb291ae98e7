#ifndef CRM_SERVICES_SEGMENT_MYSQL_VALUE_STORE_H_
#define CRM_SERVICES_SEGMENT_MYSQL_VALUE_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "common/mysql_pool.h"
#include "crm/segment/v1/segment.pb.h"
#include "services/segment/engine/transactions.h"

namespace crm::segment {

// A change to one customer's purchase day.
struct DayDelta {
  std::string customer_id;
  absl::CivilDay day;
  int64_t cents = 0;
  int purchases = 0;
};

// A change to one customer's complaint counters.
struct ComplaintDelta {
  std::string customer_id;
  int filed = 0, resolved = 0, reopened = 0;
  std::optional<absl::CivilDay> filed_on;
  int satisfaction = 0;  // 1-5 from a closing follow-up; 0 none
};

// What one batch of a followed feed changes.
struct FeedEffects {
  std::vector<DayDelta> days;
  std::vector<ComplaintDelta> complaints;
};

// Segment's purchase aggregates, the feed checkpoints that keep them, and
// the values recomputed from them.
class MysqlValueStore {
 public:
  explicit MysqlValueStore(MysqlPool* pool) : pool_(pool) {}

  // Takes or renews the lease on following `source` for `holder` until
  // `until` and returns the checkpoint; FAILED_PRECONDITION / FEED_LEASED
  // while another replica holds an unexpired lease.
  absl::StatusOr<int64_t> AcquireFeed(const std::string& source, const std::string& holder,
                                      absl::Time now, absl::Time until);
  // Applies the effects and moves the checkpoint from `after_seq` to
  // `last_seq` in one transaction; ABORTED / CHECKPOINT_MOVED when the
  // checkpoint is no longer `after_seq` or the lease is no longer
  // `holder`'s (nothing applied).
  absl::Status ApplyFeedBatch(const std::string& source, const std::string& holder,
                              int64_t after_seq, int64_t last_seq, const FeedEffects& effects,
                              absl::Time now);

  // Every customer's purchase days up to `until`.
  absl::StatusOr<std::vector<CustomerHistory>> ReadHistories(absl::CivilDay until);
  absl::Status WriteValues(absl::Span<const v1::CustomerValue> values);
  // Every customer's live complaint fields (complaints_filed,
  // complaints_open, complaint_satisfaction), by customer id.
  absl::StatusOr<absl::flat_hash_map<std::string, v1::CustomerValue>> ReadComplaintFields();
  // With the live complaint counters. NOT_FOUND / VALUE_NOT_COMPUTED when no
  // recompute covered the customer.
  absl::StatusOr<v1::CustomerValue> GetValue(const std::string& customer_id);

  // Records a new running job; FAILED_PRECONDITION / RECOMPUTE_RUNNING
  // (metadata job_id) while another runs.
  absl::Status StartJob(const v1::RecomputeJob& job);
  absl::Status UpdateJob(const v1::RecomputeJob& job);
  // NOT_FOUND / JOB_NOT_FOUND.
  absl::StatusOr<v1::RecomputeJob> GetJob(const std::string& job_id);

 private:
  MysqlPool* pool_;
};

}  // namespace crm::segment

#endif  // CRM_SERVICES_SEGMENT_MYSQL_VALUE_STORE_H_
