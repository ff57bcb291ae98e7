#ifndef CRM_SERVICES_SEGMENT_FEED_FOLLOWER_H_
#define CRM_SERVICES_SEGMENT_FEED_FOLLOWER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "crm/events/v1/events.grpc.pb.h"
#include "grpcpp/channel.h"
#include "services/segment/mysql_value_store.h"

namespace crm::segment {

// What one event changes in segment's aggregates.
using EventHandler = std::function<void(const events::v1::Event&, FeedEffects&)>;

// Follows another service's change feed into segment's aggregates. Each
// batch's effects and the new checkpoint commit together, so every event
// applies exactly once across crashes and restarts; a lease in
// feed_checkpoints keeps one replica following at a time, and another
// takes over within the lease (30 s) when it dies.
class FeedFollower {
 public:
  FeedFollower(MysqlValueStore* store, const Clock* clock, std::shared_ptr<grpc::Channel> feed,
               std::string source, std::vector<std::string> types, EventHandler handler,
               std::string holder);
  ~FeedFollower();

  void Start();

 private:
  void Loop();
  // Streams from the checkpoint until the stream ends or a batch fails.
  void FollowOnce(int64_t checkpoint);

  MysqlValueStore* store_;
  const Clock* clock_;
  std::unique_ptr<events::v1::EventFeedService::Stub> stub_;
  std::string source_;
  std::vector<std::string> types_;
  EventHandler handler_;
  std::string holder_;
  std::atomic<bool> stop_{false};
  absl::Mutex mu_;
  grpc::ClientContext* active_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::thread thread_;
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
