#include "common/feed_follower.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/feed_checkpoint.h"
#include "common/log.h"
#include "common/transaction.h"

namespace crm {
namespace {

constexpr absl::Duration kLease = absl::Seconds(30);

}  // namespace

absl::StatusOr<int64_t> TransactionalFeedSink::AcquireFeed(const std::string& source,
                                                           const std::string& holder,
                                                           absl::Time now, absl::Time until) {
  return AcquireFeedLease(*pool_, source, holder, now, until);
}

absl::Status TransactionalFeedSink::ApplyBatch(
    const std::string& source, const std::string& holder, int64_t after_seq, int64_t last_seq,
    const google::protobuf::RepeatedPtrField<events::v1::Event>& events, absl::Time now) {
  return RunInTransaction(*pool_, [&](sql::Connection& conn) -> absl::Status {
    if (absl::Status s = AdvanceFeedCheckpoint(conn, source, holder, after_seq, last_seq, now);
        !s.ok()) {
      return s;
    }
    for (const events::v1::Event& e : events) {
      if (absl::Status s = apply_(conn, e, now); !s.ok()) return s;
    }
    return absl::OkStatus();
  });
}

std::string FeedHolderName() {
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  return absl::StrCat(host, "/", getpid());
}

FeedFollower::FeedFollower(FeedSink* sink, const Clock* clock, std::shared_ptr<grpc::Channel> feed,
                           std::string source, std::vector<std::string> types, std::string holder)
    : sink_(sink),
      clock_(clock),
      stub_(events::v1::EventFeedService::NewStub(std::move(feed))),
      source_(std::move(source)),
      types_(std::move(types)),
      holder_(std::move(holder)) {}

FeedFollower::~FeedFollower() {
  stop_ = true;
  {
    absl::MutexLock lock(&mu_);
    if (active_ != nullptr) active_->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
}

void FeedFollower::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void FeedFollower::Loop() {
  while (!stop_) {
    const absl::Time now = clock_->Now();
    auto checkpoint = sink_->AcquireFeed(source_, holder_, now, now + kLease);
    if (checkpoint.ok()) FollowOnce(*checkpoint);
    for (int i = 0; i < 20 && !stop_; ++i) absl::SleepFor(absl::Milliseconds(100));
  }
}

void FeedFollower::FollowOnce(int64_t checkpoint) {
  grpc::ClientContext ctx;
  {
    absl::MutexLock lock(&mu_);
    if (stop_) return;
    active_ = &ctx;
  }
  events::v1::WatchEventsRequest request;
  request.set_after_seq(checkpoint);
  for (const std::string& type : types_) request.add_types(type);
  request.set_max_batch(500);
  auto reader = stub_->WatchEvents(&ctx, request);
  events::v1::WatchEventsResponse batch;
  int64_t cursor = checkpoint;
  absl::Time renewed = clock_->Now();
  while (reader->Read(&batch)) {
    const absl::Time now = clock_->Now();
    const absl::Status applied =
        sink_->ApplyBatch(source_, holder_, cursor, batch.last_seq(), batch.events(), now);
    if (!applied.ok()) {
      log::Warn("feed batch not applied", {{"source", source_}, {"error", applied.ToString()}});
      ctx.TryCancel();
      break;
    }
    cursor = batch.last_seq();
    if (now - renewed > kLease / 3) {
      if (!sink_->AcquireFeed(source_, holder_, now, now + kLease).ok()) {
        ctx.TryCancel();
        break;
      }
      renewed = now;
    }
  }
  const grpc::Status status = reader->Finish();
  {
    absl::MutexLock lock(&mu_);
    active_ = nullptr;
  }
  if (!status.ok() && status.error_code() != grpc::StatusCode::CANCELLED) {
    log::Warn("feed interrupted", {{"source", source_},
                                   {"code", int64_t{status.error_code()}},
                                   {"error", status.error_message()}});
  }
}

}  // namespace crm
