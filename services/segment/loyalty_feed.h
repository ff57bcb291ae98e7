#ifndef CRM_SERVICES_SEGMENT_LOYALTY_FEED_H_
#define CRM_SERVICES_SEGMENT_LOYALTY_FEED_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "crm/events/v1/events.grpc.pb.h"
#include "grpcpp/channel.h"
#include "services/segment/mysql_value_store.h"

namespace crm::segment {

// Follows loyalty's change feed (PurchaseRecorded, PurchaseReturned) into
// the purchase aggregates. Each batch's effects and the new checkpoint
// commit together, so every event applies exactly once across crashes and
// restarts; a lease in feed_checkpoints keeps one replica following at a
// time, and another takes over within the lease (30 s) when it dies.
class LoyaltyFeedFollower {
 public:
  LoyaltyFeedFollower(MysqlValueStore* store, const Clock* clock,
                      std::shared_ptr<grpc::Channel> loyalty, std::string holder);
  ~LoyaltyFeedFollower();

  void Start();

  static constexpr char kSource[] = "loyalty";

 private:
  void Loop();
  // Streams from the checkpoint until the stream ends or a batch fails.
  void FollowOnce(int64_t checkpoint);

  MysqlValueStore* store_;
  const Clock* clock_;
  std::unique_ptr<events::v1::EventFeedService::Stub> stub_;
  std::string holder_;
  std::atomic<bool> stop_{false};
  absl::Mutex mu_;
  grpc::ClientContext* active_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::thread thread_;
};

}  // namespace crm::segment

#endif  // CRM_SERVICES_SEGMENT_LOYALTY_FEED_H_
