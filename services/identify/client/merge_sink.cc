#include "services/identify/client/merge_sink.h"

#include "common/feed_checkpoint.h"
#include "common/transaction.h"

namespace crm::identify {

std::vector<std::string> MergeSink::EventTypes() {
  return {v1::CustomerMerged::descriptor()->full_name(),
          v1::CustomerUnmerged::descriptor()->full_name()};
}

absl::StatusOr<int64_t> MergeSink::AcquireFeed(const std::string& source,
                                               const std::string& holder, absl::Time now,
                                               absl::Time until) {
  return AcquireFeedLease(*pool_, source, holder, now, until);
}

absl::Status MergeSink::ApplyBatch(
    const std::string& source, const std::string& holder, int64_t after_seq, int64_t last_seq,
    const google::protobuf::RepeatedPtrField<events::v1::Event>& events, absl::Time now) {
  return RunInTransaction(*pool_, [&](sql::Connection& conn) -> absl::Status {
    if (absl::Status s = AdvanceFeedCheckpoint(conn, source, holder, after_seq, last_seq, now);
        !s.ok()) {
      return s;
    }
    for (const events::v1::Event& e : events) {
      v1::CustomerMerged merged;
      v1::CustomerUnmerged unmerged;
      if (e.payload().UnpackTo(&merged)) {
        merge_(conn, merged, now);
      } else if (e.payload().UnpackTo(&unmerged)) {
        unmerge_(conn, unmerged, now);
      }
    }
    return absl::OkStatus();
  });
}

}  // namespace crm::identify
