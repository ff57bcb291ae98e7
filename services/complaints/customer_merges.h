#ifndef CRM_SERVICES_COMPLAINTS_CUSTOMER_MERGES_H_
#define CRM_SERVICES_COMPLAINTS_CUSTOMER_MERGES_H_

#include <string>
#include <vector>

#include "common/feed_follower.h"
#include "common/mysql_pool.h"

namespace crm::complaints {

// Complaints follow identify's merges (its change feed): on CustomerMerged
// every complaint of the merged customer moves to the survivor, remembered
// under the merge id; on CustomerUnmerged exactly those move back. Moves and
// the feed checkpoint commit together, so each merge applies once.
class CustomerMerges : public FeedSink {
 public:
  explicit CustomerMerges(MysqlPool* pool) : pool_(pool) {}

  absl::StatusOr<int64_t> AcquireFeed(const std::string& source, const std::string& holder,
                                      absl::Time now, absl::Time until) override;
  absl::Status ApplyBatch(const std::string& source, const std::string& holder, int64_t after_seq,
                          int64_t last_seq,
                          const google::protobuf::RepeatedPtrField<events::v1::Event>& events,
                          absl::Time now) override;

  // The event types it follows.
  static std::vector<std::string> EventTypes();

 private:
  MysqlPool* pool_;
};

}  // namespace crm::complaints

#endif  // CRM_SERVICES_COMPLAINTS_CUSTOMER_MERGES_H_
