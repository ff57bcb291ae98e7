#ifndef CRM_SERVICES_IDENTIFY_CLIENT_MERGE_SINK_H_
#define CRM_SERVICES_IDENTIFY_CLIENT_MERGE_SINK_H_

#include <functional>
#include <string>
#include <vector>

#include "common/feed_follower.h"
#include "common/mysql_pool.h"
#include "crm/identify/v1/events.pb.h"

namespace crm::identify {

// For a service whose data follows identify's merges: the sink of identify's
// change feed (CustomerMerged, CustomerUnmerged). `merge` and `unmerge` move
// the service's own rows inside the transaction that advances the feed
// checkpoint, so each applies exactly once across crashes and restarts.
class MergeSink : public FeedSink {
 public:
  using OnMerge = std::function<void(sql::Connection&, const v1::CustomerMerged&, absl::Time)>;
  using OnUnmerge = std::function<void(sql::Connection&, const v1::CustomerUnmerged&, absl::Time)>;

  MergeSink(MysqlPool* pool, OnMerge merge, OnUnmerge unmerge)
      : pool_(pool), merge_(std::move(merge)), unmerge_(std::move(unmerge)) {}

  // The event types to ask the feed for.
  static std::vector<std::string> EventTypes();

  absl::StatusOr<int64_t> AcquireFeed(const std::string& source, const std::string& holder,
                                      absl::Time now, absl::Time until) override;
  absl::Status ApplyBatch(const std::string& source, const std::string& holder, int64_t after_seq,
                          int64_t last_seq,
                          const google::protobuf::RepeatedPtrField<events::v1::Event>& events,
                          absl::Time now) override;

 private:
  MysqlPool* pool_;
  OnMerge merge_;
  OnUnmerge unmerge_;
};

}  // namespace crm::identify

#endif  // CRM_SERVICES_IDENTIFY_CLIENT_MERGE_SINK_H_
