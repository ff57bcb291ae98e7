#include "services/segment/loyalty_feed.h"

#include "absl/time/clock.h"
#include "common/log.h"
#include "common/sql_util.h"
#include "crm/loyalty/v1/events.pb.h"

namespace crm::segment {
namespace {

constexpr absl::Duration kLease = absl::Seconds(30);

absl::CivilDay DayOf(const google::protobuf::Timestamp& t) {
  return absl::ToCivilDay(FromProtoTimestamp(t), absl::UTCTimeZone());
}

// The aggregate change an event makes; false for events without one.
bool DeltaOf(const events::v1::Event& e, DayDelta* delta) {
  loyalty::v1::PurchaseRecorded recorded;
  if (e.payload().UnpackTo(&recorded)) {
    *delta = {recorded.customer_id(), DayOf(recorded.purchase().purchase_time()),
              recorded.purchase().total_minor(), 1};
    return !delta->customer_id.empty();
  }
  loyalty::v1::PurchaseReturned returned;
  if (e.payload().UnpackTo(&returned)) {
    *delta = {returned.customer_id(), DayOf(e.create_time()), -returned.amount_minor(), 0};
    return !delta->customer_id.empty();
  }
  return false;
}

}  // namespace

LoyaltyFeedFollower::LoyaltyFeedFollower(MysqlValueStore* store, const Clock* clock,
                                         std::shared_ptr<grpc::Channel> loyalty,
                                         std::string holder)
    : store_(store),
      clock_(clock),
      stub_(events::v1::EventFeedService::NewStub(std::move(loyalty))),
      holder_(std::move(holder)) {}

LoyaltyFeedFollower::~LoyaltyFeedFollower() {
  stop_ = true;
  {
    absl::MutexLock lock(&mu_);
    if (active_ != nullptr) active_->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
}

void LoyaltyFeedFollower::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void LoyaltyFeedFollower::Loop() {
  while (!stop_) {
    const absl::Time now = clock_->Now();
    auto checkpoint = store_->AcquireFeed(kSource, holder_, now, now + kLease);
    if (checkpoint.ok()) FollowOnce(*checkpoint);
    for (int i = 0; i < 20 && !stop_; ++i) absl::SleepFor(absl::Milliseconds(100));
  }
}

void LoyaltyFeedFollower::FollowOnce(int64_t checkpoint) {
  grpc::ClientContext ctx;
  {
    absl::MutexLock lock(&mu_);
    if (stop_) return;
    active_ = &ctx;
  }
  events::v1::WatchEventsRequest request;
  request.set_after_seq(checkpoint);
  request.add_types(loyalty::v1::PurchaseRecorded::descriptor()->full_name());
  request.add_types(loyalty::v1::PurchaseReturned::descriptor()->full_name());
  request.set_max_batch(500);
  auto reader = stub_->WatchEvents(&ctx, request);
  events::v1::WatchEventsResponse batch;
  int64_t cursor = checkpoint;
  absl::Time renewed = clock_->Now();
  std::vector<DayDelta> deltas;
  while (reader->Read(&batch)) {
    deltas.clear();
    for (const auto& e : batch.events()) {
      DayDelta d;
      if (DeltaOf(e, &d)) deltas.push_back(std::move(d));
    }
    const absl::Time now = clock_->Now();
    const absl::Status applied =
        store_->ApplyDays(kSource, holder_, cursor, batch.last_seq(), deltas, now);
    if (!applied.ok()) {
      log::Warn("loyalty feed batch not applied", {{"error", applied.ToString()}});
      ctx.TryCancel();
      break;
    }
    cursor = batch.last_seq();
    if (now - renewed > kLease / 3) {
      if (!store_->AcquireFeed(kSource, holder_, now, now + kLease).ok()) {
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
    log::Warn("loyalty feed interrupted", {{"code", int64_t{status.error_code()}},
                                           {"error", status.error_message()}});
  }
}

}  // namespace crm::segment
