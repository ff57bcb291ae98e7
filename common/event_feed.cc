#include "common/event_feed.h"

#include <memory>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/errors.h"
#include "common/grpc_status.h"
#include "common/server.h"
#include "common/sql_util.h"
#include "common/transaction.h"

ABSL_FLAG(absl::Duration, event_retention, absl::Hours(24 * 7),
          "How long the change feed keeps events; a consumer further behind must resynchronise");

namespace crm {
namespace {

constexpr char kDomain[] = "events.crm";

bool Wanted(const std::string& type, const std::vector<std::string>& types) {
  if (types.empty()) return true;
  for (const std::string& t : types) {
    if (t == type) return true;
  }
  return false;
}

absl::Status Pruned(int64_t after_seq, int64_t first_seq) {
  return Error(absl::StatusCode::kFailedPrecondition, "EVENTS_PRUNED",
               absl::StrCat("events after ", after_seq, " are no longer kept (the first is ",
                            first_seq, "): resynchronise, then watch from the horizon"),
               {{"first_seq", absl::StrCat(first_seq)}});
}

}  // namespace

absl::Duration EventRetention() { return absl::GetFlag(FLAGS_event_retention); }

absl::StatusOr<OutboxReader::Batch> OutboxReader::Read(
    int64_t after_seq, int limit, const std::vector<std::string>& types) const {
  return RunWithConnection<Batch>(*pool_, [&](sql::Connection& conn) -> absl::StatusOr<Batch> {
    // Ages on the database's clock, the one that stamped the events.
    auto query = Prepare(conn,
                         "SELECT seq, event_type, aggregate_id, payload, created_at, "
                         "created_at < UTC_TIMESTAMP(6) - INTERVAL ? MICROSECOND, "
                         "(SELECT MIN(seq) FROM outbox_events) FROM outbox_events WHERE seq > ? "
                         "ORDER BY seq LIMIT ?");
    query->setInt64(1, absl::ToInt64Microseconds(gap_timeout_));
    query->setInt64(2, after_seq);
    query->setInt(3, limit);
    std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
    Batch batch;
    batch.last_seq = after_seq;
    bool first = true;
    while (rs->next()) {
      const int64_t seq = rs->getInt64(1);
      const absl::Time created = FromSqlDatetime(rs->getString(5));
      const bool settled = rs->getInt(6) != 0;
      if (first && after_seq > 0 && rs->getInt64(7) > after_seq + 1 && settled) {
        return Pruned(after_seq, rs->getInt64(7));  // pruned from under the consumer
      }
      first = false;
      if (seq != batch.last_seq + 1 && !settled) break;  // a gap that may still fill
      batch.last_seq = seq;
      const std::string type = rs->getString(2);
      if (!Wanted(type, types)) continue;
      events::v1::Event& e = batch.events.emplace_back();
      e.set_seq(seq);
      e.mutable_payload()->set_type_url(absl::StrCat("type.googleapis.com/", type));
      e.mutable_payload()->set_value(rs->getString(4));
      e.set_aggregate_id(rs->getString(3));
      ToProtoTimestamp(created, e.mutable_create_time());
    }
    return batch;
  });
}

absl::StatusOr<std::pair<int64_t, int64_t>> OutboxReader::Horizon() const {
  return RunWithConnection<std::pair<int64_t, int64_t>>(
      *pool_, [&](sql::Connection& conn) -> absl::StatusOr<std::pair<int64_t, int64_t>> {
        auto query = Prepare(conn,
                             "SELECT COALESCE(MIN(seq), 0), COALESCE(MAX(seq), 0) "
                             "FROM outbox_events");
        std::unique_ptr<sql::ResultSet> rs(query->executeQuery());
        rs->next();
        return std::make_pair(rs->getInt64(1), rs->getInt64(2));
      });
}

absl::StatusOr<int64_t> OutboxReader::Prune(absl::Time before) const {
  int64_t total = 0;
  for (;;) {
    auto deleted = RunWithConnection<int64_t>(
        *pool_, [&](sql::Connection& conn) -> absl::StatusOr<int64_t> {
          // The newest event stays, so the horizon is known even when the
          // feed has been quiet for longer than the retention.
          auto newest = Prepare(conn, "SELECT COALESCE(MAX(seq), 0) FROM outbox_events");
          std::unique_ptr<sql::ResultSet> rs(newest->executeQuery());
          rs->next();
          const int64_t keep = rs->getInt64(1);
          rs.reset();
          auto remove = Prepare(conn,
                                "DELETE FROM outbox_events WHERE created_at < ? AND seq < ? "
                                "ORDER BY seq LIMIT 5000");
          remove->setString(1, ToSqlDatetime(before));
          remove->setInt64(2, keep);
          return static_cast<int64_t>(remove->executeUpdate());
        });
    if (!deleted.ok()) return deleted.status();
    total += *deleted;
    if (*deleted < 5000) return total;
  }
}

grpc::Status EventFeedGrpc::GetEventHorizon(grpc::ServerContext*,
                                            const events::v1::GetEventHorizonRequest*,
                                            events::v1::GetEventHorizonResponse* response) {
  auto horizon = reader_->Horizon();
  if (!horizon.ok()) return ToGrpcStatus(horizon.status(), kDomain);
  response->set_first_seq(horizon->first);
  response->set_last_seq(horizon->second);
  return grpc::Status::OK;
}

grpc::Status EventFeedGrpc::WatchEvents(
    grpc::ServerContext* context, const events::v1::WatchEventsRequest* request,
    grpc::ServerWriter<events::v1::WatchEventsResponse>* writer) {
  const int batch_size = request->max_batch() == 0 ? 100 : request->max_batch();
  if (batch_size < 1 || batch_size > 1000) {
    return ToGrpcStatus(InvalidArgument("max_batch", "must be 1-1000"), kDomain);
  }
  if (request->types_size() > 50) {
    return ToGrpcStatus(InvalidArgument("types", "at most 50"), kDomain);
  }
  for (const std::string& type : request->types()) {
    if (type.empty() || type.size() > 100) {
      return ToGrpcStatus(
          InvalidArgument("types", "each must be a message name of 1-100 characters"), kDomain);
    }
  }
  if (request->after_seq() < 0) {
    return ToGrpcStatus(InvalidArgument("after_seq", "must not be negative"), kDomain);
  }
  auto horizon = reader_->Horizon();
  if (!horizon.ok()) return ToGrpcStatus(horizon.status(), kDomain);
  if (horizon->first > 0 && request->after_seq() > 0 &&
      request->after_seq() < horizon->first - 1) {
    return ToGrpcStatus(Pruned(request->after_seq(), horizon->first), kDomain);
  }
  const std::vector<std::string> types(request->types().begin(), request->types().end());
  int64_t cursor = request->after_seq();
  absl::Time last_write = absl::Now();
  while (!context->IsCancelled() && !Draining()) {
    auto batch = reader_->Read(cursor, batch_size, types);
    if (!batch.ok()) return ToGrpcStatus(batch.status(), kDomain);
    // A quiet feed still answers every 10 s, so consumers know it is alive
    // (and can renew their leases).
    if (batch->last_seq > cursor || absl::Now() - last_write > absl::Seconds(10)) {
      last_write = absl::Now();
      events::v1::WatchEventsResponse response;
      for (auto& e : batch->events) *response.add_events() = std::move(e);
      response.set_last_seq(batch->last_seq);
      if (!writer->Write(response)) return grpc::Status::OK;  // the consumer went away
      const bool full = batch->last_seq - cursor >= batch_size;
      cursor = batch->last_seq;
      if (full) continue;
    }
    absl::SleepFor(poll_);
  }
  return grpc::Status::OK;
}

}  // namespace crm
