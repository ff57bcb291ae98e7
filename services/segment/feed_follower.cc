#include "services/segment/feed_follower.h"

#include "absl/time/clock.h"
#include "common/log.h"
#include "common/sql_util.h"
#include "crm/complaints/v1/events.pb.h"
#include "crm/loyalty/v1/events.pb.h"

namespace crm::segment {
namespace {

constexpr absl::Duration kLease = absl::Seconds(30);

absl::CivilDay DayOf(const google::protobuf::Timestamp& t) {
  return absl::ToCivilDay(FromProtoTimestamp(t), absl::UTCTimeZone());
}

}  // namespace

std::vector<std::string> LoyaltyEventTypes() {
  return {loyalty::v1::PurchaseRecorded::descriptor()->full_name(),
          loyalty::v1::PurchaseReturned::descriptor()->full_name()};
}

void ApplyLoyaltyEvent(const events::v1::Event& e, FeedEffects& effects) {
  loyalty::v1::PurchaseRecorded recorded;
  if (e.payload().UnpackTo(&recorded) && !recorded.customer_id().empty()) {
    const auto& p = recorded.purchase();
    effects.days.push_back({recorded.customer_id(), DayOf(p.purchase_time()),
                            p.total_minor() - p.discount_minor(), 1});
    return;
  }
  loyalty::v1::PurchaseReturned returned;
  if (e.payload().UnpackTo(&returned) && !returned.customer_id().empty()) {
    effects.days.push_back(
        {returned.customer_id(), DayOf(e.create_time()), -returned.amount_minor(), 0});
  }
}

std::vector<std::string> ComplaintEventTypes() {
  return {complaints::v1::ComplaintFiled::descriptor()->full_name(),
          complaints::v1::ComplaintResolved::descriptor()->full_name(),
          complaints::v1::ComplaintClosed::descriptor()->full_name(),
          complaints::v1::ComplaintReopened::descriptor()->full_name()};
}

void ApplyComplaintEvent(const events::v1::Event& e, FeedEffects& effects) {
  ComplaintDelta d;
  complaints::v1::ComplaintFiled filed;
  complaints::v1::ComplaintResolved resolved;
  complaints::v1::ComplaintClosed closed;
  complaints::v1::ComplaintReopened reopened;
  if (e.payload().UnpackTo(&filed)) {
    d.customer_id = filed.customer_id();
    d.filed = 1;
    d.filed_on = DayOf(e.create_time());
  } else if (e.payload().UnpackTo(&resolved)) {
    d.customer_id = resolved.customer_id();
    d.resolved = 1;
  } else if (e.payload().UnpackTo(&closed)) {
    d.customer_id = closed.customer_id();
    d.satisfaction = closed.satisfaction();
  } else if (e.payload().UnpackTo(&reopened)) {
    d.customer_id = reopened.customer_id();
    d.reopened = 1;
  }
  if (!d.customer_id.empty()) effects.complaints.push_back(std::move(d));
}

FeedFollower::FeedFollower(MysqlValueStore* store, const Clock* clock,
                           std::shared_ptr<grpc::Channel> feed, std::string source,
                           std::vector<std::string> types, EventHandler handler,
                           std::string holder)
    : store_(store),
      clock_(clock),
      stub_(events::v1::EventFeedService::NewStub(std::move(feed))),
      source_(std::move(source)),
      types_(std::move(types)),
      handler_(std::move(handler)),
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
    auto checkpoint = store_->AcquireFeed(source_, holder_, now, now + kLease);
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
    FeedEffects effects;
    for (const auto& e : batch.events()) handler_(e, effects);
    const absl::Time now = clock_->Now();
    const absl::Status applied =
        store_->ApplyFeedBatch(source_, holder_, cursor, batch.last_seq(), effects, now);
    if (!applied.ok()) {
      log::Warn("feed batch not applied", {{"source", source_}, {"error", applied.ToString()}});
      ctx.TryCancel();
      break;
    }
    cursor = batch.last_seq();
    if (now - renewed > kLease / 3) {
      if (!store_->AcquireFeed(source_, holder_, now, now + kLease).ok()) {
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

}  // namespace crm::segment
