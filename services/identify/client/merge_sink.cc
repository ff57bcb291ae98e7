#include "services/identify/client/merge_sink.h"

namespace crm::identify {

std::vector<std::string> MergeEventTypes() {
  return {v1::CustomerMerged::descriptor()->full_name(),
          v1::CustomerUnmerged::descriptor()->full_name()};
}

TransactionalFeedSink::Apply FollowMerges(OnMerge merge, OnUnmerge unmerge) {
  return [merge = std::move(merge), unmerge = std::move(unmerge)](
             sql::Connection& conn, const events::v1::Event& e, absl::Time now) {
    v1::CustomerMerged merged;
    v1::CustomerUnmerged unmerged;
    if (e.payload().UnpackTo(&merged)) {
      merge(conn, merged, now);
    } else if (e.payload().UnpackTo(&unmerged)) {
      unmerge(conn, unmerged, now);
    }
    return absl::OkStatus();
  };
}

}  // namespace crm::identify
