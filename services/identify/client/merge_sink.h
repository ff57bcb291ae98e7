#ifndef CRM_SERVICES_IDENTIFY_CLIENT_MERGE_SINK_H_
#define CRM_SERVICES_IDENTIFY_CLIENT_MERGE_SINK_H_

#include <functional>
#include <string>
#include <vector>

#include "common/feed_follower.h"
#include "crm/identify/v1/events.pb.h"

namespace crm::identify {

// For a service whose data follows identify's merges: the event types to ask
// identify's change feed for, and the handler of a TransactionalFeedSink
// that calls `merge` and `unmerge`, which move the service's own rows inside
// the transaction that advances the feed checkpoint (each applies exactly
// once across crashes and restarts).
using OnMerge = std::function<void(sql::Connection&, const v1::CustomerMerged&, absl::Time)>;
using OnUnmerge = std::function<void(sql::Connection&, const v1::CustomerUnmerged&, absl::Time)>;

std::vector<std::string> MergeEventTypes();
TransactionalFeedSink::Apply FollowMerges(OnMerge merge, OnUnmerge unmerge);

}  // namespace crm::identify

#endif  // CRM_SERVICES_IDENTIFY_CLIENT_MERGE_SINK_H_
