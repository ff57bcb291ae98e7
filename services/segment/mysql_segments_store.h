#ifndef CRM_SERVICES_SEGMENT_MYSQL_SEGMENTS_STORE_H_
#define CRM_SERVICES_SEGMENT_MYSQL_SEGMENTS_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/idempotency.h"
#include "common/mysql_pool.h"
#include "crm/segment/v1/segment.pb.h"

namespace crm::segment {

// Segments by rule, their members now and the history of who joined and left.
class MysqlSegmentsStore {
 public:
  MysqlSegmentsStore(MysqlPool* pool, const Clock* clock) : pool_(pool), clock_(clock) {}

  // Inserts a validated segment (id and create_time set); ALREADY_EXISTS /
  // SEGMENT_EXISTS when its name is taken. A replay of `key` returns the first.
  absl::StatusOr<v1::Segment> Create(const RequestKey& key, const v1::Segment& segment);
  // NOT_FOUND / SEGMENT_NOT_FOUND.
  absl::StatusOr<v1::GetSegmentResponse> Get(const std::string& segment_id);
  // Segments with segment_id > `after`, by id.
  absl::StatusOr<std::vector<v1::Segment>> List(const std::string& after, int limit);
  // Members with customer_id > `after`, by id: now, or at `as_of`.
  // NOT_FOUND / SEGMENT_NOT_FOUND.
  absl::StatusOr<std::vector<v1::SegmentMember>> Members(const std::string& segment_id,
                                                         std::optional<absl::Time> as_of,
                                                         const std::string& after, int limit);
  absl::StatusOr<std::vector<v1::CustomerSegment>> OfCustomer(const std::string& customer_id);

  // Makes `members` (sorted, distinct customer ids) the segment's members at
  // `now`: records who joined and who left, and the size, for job `job_id`.
  absl::Status ApplyEvaluation(const std::string& segment_id,
                               const std::vector<std::string>& members, const std::string& job_id,
                               absl::Time now);

 private:
  MysqlPool* pool_;
  const Clock* clock_;
};

}  // namespace crm::segment

#endif  // CRM_SERVICES_SEGMENT_MYSQL_SEGMENTS_STORE_H_
