#ifndef CRM_SERVICES_SEGMENT_FEED_FOLLOWER_H_
#define CRM_SERVICES_SEGMENT_FEED_FOLLOWER_H_

#include <functional>
#include <string>
#include <vector>

#include "common/feed_follower.h"
#include "crm/events/v1/events.pb.h"
#include "services/segment/mysql_value_store.h"

namespace crm::segment {

// What one event changes in segment's aggregates.
using EventHandler = std::function<void(const events::v1::Event&, FeedEffects&)>;

// Segment's aggregates as the sink of a change feed: `handler` turns each
// event into effects, applied with the checkpoint in one transaction.
class AggregateSink : public FeedSink {
 public:
  AggregateSink(MysqlValueStore* store, EventHandler handler)
      : store_(store), handler_(std::move(handler)) {}

  absl::StatusOr<int64_t> AcquireFeed(const std::string& source, const std::string& holder,
                                      absl::Time now, absl::Time until) override {
    return store_->AcquireFeed(source, holder, now, until);
  }
  absl::Status ApplyBatch(const std::string& source, const std::string& holder, int64_t after_seq,
                          int64_t last_seq,
                          const google::protobuf::RepeatedPtrField<events::v1::Event>& events,
                          absl::Time now) override {
    FeedEffects effects;
    for (const auto& e : events) handler_(e, effects);
    return store_->ApplyFeedBatch(source, holder, after_seq, last_seq, effects, now);
  }

 private:
  MysqlValueStore* store_;
  EventHandler handler_;
};

// Loyalty: PurchaseRecorded adds the paid amount to the purchase day,
// PurchaseReturned deducts the returned amount on the day of the return.
std::vector<std::string> LoyaltyEventTypes();
void ApplyLoyaltyEvent(const events::v1::Event& event, FeedEffects& effects);

// Complaints: filed (with a known customer), resolved, closed with
// satisfaction, reopened.
std::vector<std::string> ComplaintEventTypes();
void ApplyComplaintEvent(const events::v1::Event& event, FeedEffects& effects);

}  // namespace crm::segment

#endif  // CRM_SERVICES_SEGMENT_FEED_FOLLOWER_H_
