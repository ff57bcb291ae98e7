#include "services/segment/feed_follower.h"

#include "absl/time/clock.h"
#include "common/log.h"
#include "common/sql_util.h"
#include "crm/complaints/v1/events.pb.h"
#include "crm/loyalty/v1/events.pb.h"

namespace crm::segment {
namespace {

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

}  // namespace crm::segment
