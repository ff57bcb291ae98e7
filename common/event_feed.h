#ifndef CRM_COMMON_EVENT_FEED_H_
#define CRM_COMMON_EVENT_FEED_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/mysql_pool.h"
#include "crm/events/v1/events.grpc.pb.h"

namespace crm {

// Reads a service's outbox (common/schema/outbox_events.sql) in sequence
// order.
//
// AUTO_INCREMENT hands out sequence numbers when a change inserts its
// event, not when it commits, so a number can show up after a higher one
// (its transaction committed later), or never (it rolled back). The reader
// therefore serves only the gap-free prefix after the cursor, and skips a
// gap only once the event after it is older than `gap_timeout` on the
// database's clock: by then the transaction holding the missing number has
// rolled back (statements time out after --db_query_timeout, 30 s). A
// consumer thus never misses an event that commits within `gap_timeout` of
// writing it; a rolled-back change delays the feed by `gap_timeout` once.
// A consumer whose position was pruned gets EVENTS_PRUNED, never a silent
// skip: pruning keeps the newest event, so the horizon is always known.
class OutboxReader {
 public:
  explicit OutboxReader(MysqlPool* pool, absl::Duration gap_timeout = absl::Seconds(30))
      : pool_(pool), gap_timeout_(gap_timeout) {}

  struct Batch {
    std::vector<events::v1::Event> events;
    int64_t last_seq = 0;  // everything up to here has been seen
  };
  // Up to `limit` events after `after_seq`, only `types` when not empty.
  absl::StatusOr<Batch> Read(int64_t after_seq, int limit,
                             const std::vector<std::string>& types) const;
  // {first, last} retained sequence numbers; {0, 0} when none.
  absl::StatusOr<std::pair<int64_t, int64_t>> Horizon() const;
  // Deletes events created before `before`, in small transactions; how many.
  absl::StatusOr<int64_t> Prune(absl::Time before) const;

 private:
  MysqlPool* pool_;
  absl::Duration gap_timeout_;
};

// crm.events.v1.EventFeedService over an OutboxReader.
class EventFeedGrpc final : public events::v1::EventFeedService::Service {
 public:
  explicit EventFeedGrpc(const OutboxReader* reader, absl::Duration poll = absl::Milliseconds(200))
      : reader_(reader), poll_(poll) {}

  grpc::Status WatchEvents(grpc::ServerContext* context,
                           const events::v1::WatchEventsRequest* request,
                           grpc::ServerWriter<events::v1::WatchEventsResponse>* writer) override;
  grpc::Status GetEventHorizon(grpc::ServerContext* context,
                               const events::v1::GetEventHorizonRequest* request,
                               events::v1::GetEventHorizonResponse* response) override;

 private:
  const OutboxReader* reader_;
  absl::Duration poll_;
};

// How long events are kept (--event_retention, default 7 days).
absl::Duration EventRetention();

}  // namespace crm

#endif  // CRM_COMMON_EVENT_FEED_H_
