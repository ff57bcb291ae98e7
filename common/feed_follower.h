#ifndef CRM_COMMON_FEED_FOLLOWER_H_
#define CRM_COMMON_FEED_FOLLOWER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/mysql_pool.h"
#include "crm/events/v1/events.grpc.pb.h"
#include "grpcpp/channel.h"

namespace crm {

// Where a follower keeps its place in a feed and applies what it reads, in
// the consumer's own schema (common/feed_checkpoint.h does the bookkeeping).
class FeedSink {
 public:
  virtual ~FeedSink() = default;
  // Takes or renews the lease of `source`; returns the checkpoint.
  virtual absl::StatusOr<int64_t> AcquireFeed(const std::string& source, const std::string& holder,
                                              absl::Time now, absl::Time until) = 0;
  // Applies `events` and moves the checkpoint from `after_seq` to `last_seq`
  // in one transaction; an error applies nothing.
  virtual absl::Status ApplyBatch(
      const std::string& source, const std::string& holder, int64_t after_seq, int64_t last_seq,
      const google::protobuf::RepeatedPtrField<events::v1::Event>& events, absl::Time now) = 0;
};

// The usual sink: `apply` handles each event inside the transaction that
// advances the checkpoint in the consumer's own schema; an error rolls the
// whole batch back.
class TransactionalFeedSink : public FeedSink {
 public:
  using Apply =
      std::function<absl::Status(sql::Connection&, const events::v1::Event&, absl::Time now)>;

  TransactionalFeedSink(MysqlPool* pool, Apply apply) : pool_(pool), apply_(std::move(apply)) {}

  absl::StatusOr<int64_t> AcquireFeed(const std::string& source, const std::string& holder,
                                      absl::Time now, absl::Time until) override;
  absl::Status ApplyBatch(const std::string& source, const std::string& holder, int64_t after_seq,
                          int64_t last_seq,
                          const google::protobuf::RepeatedPtrField<events::v1::Event>& events,
                          absl::Time now) override;

 private:
  MysqlPool* pool_;
  Apply apply_;
};

// Follows another service's change feed (WatchEvents) into a FeedSink. Each
// batch's effects and the new checkpoint commit together, so every event
// applies exactly once across crashes and restarts; the lease keeps one
// replica following at a time, and another takes over within the lease
// (30 s) when it dies.
class FeedFollower {
 public:
  FeedFollower(FeedSink* sink, const Clock* clock, std::shared_ptr<grpc::Channel> feed,
               std::string source, std::vector<std::string> types, std::string holder);
  ~FeedFollower();

  void Start();

 private:
  void Loop();
  // Streams from the checkpoint until the stream ends or a batch fails.
  void FollowOnce(int64_t checkpoint);

  FeedSink* sink_;
  const Clock* clock_;
  std::unique_ptr<events::v1::EventFeedService::Stub> stub_;
  std::string source_;
  std::vector<std::string> types_;
  std::string holder_;
  std::atomic<bool> stop_{false};
  absl::Mutex mu_;
  grpc::ClientContext* active_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::thread thread_;
};

// "<host>/<pid>": who holds a feed's lease, for the checkpoint table and logs.
std::string FeedHolderName();

}  // namespace crm

#endif  // CRM_COMMON_FEED_FOLLOWER_H_
