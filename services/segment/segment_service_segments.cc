// SegmentService: segments by rule.
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/idempotency.h"
#include "common/paging.h"
#include "common/sql_util.h"
#include "common/text.h"
#include "services/segment/segment_rule.h"
#include "services/segment/segment_service.h"

namespace crm::segment {
namespace {

absl::Status NotConfigured() { return absl::UnimplementedError("segments are not configured"); }

absl::Status ValidSegmentId(const std::string& segment_id) {
  if (IsValidId(segment_id)) return absl::OkStatus();
  return InvalidArgument("segment_id", "must be a 26-character segment id");
}

}  // namespace

absl::StatusOr<v1::CreateSegmentResponse> SegmentService::CreateSegment(
    const v1::CreateSegmentRequest& request) {
  if (segments_ == nullptr || ids_ == nullptr) return NotConfigured();
  auto key = MakeRequestKey("CreateSegment", request.request_id(), request);
  if (!key.ok()) return key.status();
  v1::Segment segment = request.segment();
  if (absl::Status s = CheckText("segment.name", *segment.mutable_name(), 1, 100); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckText("segment.description", *segment.mutable_description(), 0, 500);
      !s.ok()) {
    return s;
  }
  if (auto rule = SegmentRule::Parse(segment.rule()); !rule.ok()) return rule.status();
  segment.set_segment_id(ids_->Next());
  segment.clear_members();
  segment.clear_evaluate_time();
  ToProtoTimestamp(clock_->Now(), segment.mutable_create_time());
  auto created = segments_->Create(*key, segment);
  if (!created.ok()) return created.status();
  v1::CreateSegmentResponse response;
  *response.mutable_segment() = *std::move(created);
  return response;
}

absl::StatusOr<v1::GetSegmentResponse> SegmentService::GetSegment(
    const v1::GetSegmentRequest& request) {
  if (segments_ == nullptr) return NotConfigured();
  if (absl::Status s = ValidSegmentId(request.segment_id()); !s.ok()) return s;
  return segments_->Get(request.segment_id());
}

absl::StatusOr<v1::ListSegmentsResponse> SegmentService::ListSegments(
    const v1::ListSegmentsRequest& request) {
  if (segments_ == nullptr) return NotConfigured();
  auto page_size = PageSize(request.page_size(), 100, 1000);
  if (!page_size.ok()) return page_size.status();
  auto after = DecodePageToken(request.page_token(), "segments");
  if (!after.ok()) return after.status();
  auto segments = segments_->List(*after, *page_size + 1);
  if (!segments.ok()) return segments.status();
  v1::ListSegmentsResponse response;
  response.set_next_page_token(TakePage(*segments, *page_size, "segments",
                                        *response.mutable_segments(),
                                        [](const v1::Segment& s) { return s.segment_id(); }));
  return response;
}

absl::StatusOr<v1::ListSegmentMembersResponse> SegmentService::ListSegmentMembers(
    const v1::ListSegmentMembersRequest& request) {
  if (segments_ == nullptr) return NotConfigured();
  if (absl::Status s = ValidSegmentId(request.segment_id()); !s.ok()) return s;
  auto page_size = PageSize(request.page_size(), 100, 1000);
  if (!page_size.ok()) return page_size.status();
  std::optional<absl::Time> as_of;
  if (request.has_as_of()) {
    const auto& t = request.as_of();
    // 1970-01-01 to 9999-12-31, what the membership history can hold.
    if (t.seconds() < 0 || t.seconds() > 253402300799 || t.nanos() < 0 || t.nanos() > 999999999) {
      return InvalidArgument("as_of", "must be a time between 1970 and 9999");
    }
    as_of = FromProtoTimestamp(t);
  }
  // A token belongs to one segment and one as_of.
  const std::string filter =
      absl::StrCat(request.segment_id(), "@", as_of.has_value() ? ToSqlDatetime(*as_of) : "now");
  auto after = DecodePageToken(request.page_token(), filter);
  if (!after.ok()) return after.status();
  auto members = segments_->Members(request.segment_id(), as_of, *after, *page_size + 1);
  if (!members.ok()) return members.status();
  v1::ListSegmentMembersResponse response;
  response.set_next_page_token(
      TakePage(*members, *page_size, filter, *response.mutable_members(),
               [](const v1::SegmentMember& m) { return m.customer_id(); }));
  return response;
}

absl::StatusOr<v1::GetCustomerSegmentsResponse> SegmentService::GetCustomerSegments(
    const v1::GetCustomerSegmentsRequest& request) {
  if (segments_ == nullptr) return NotConfigured();
  if (!IsValidId(request.customer_id())) {
    return InvalidArgument("customer_id", "must be a 26-character customer id");
  }
  auto segments = segments_->OfCustomer(request.customer_id());
  if (!segments.ok()) return segments.status();
  v1::GetCustomerSegmentsResponse response;
  for (v1::CustomerSegment& s : *segments) *response.add_segments() = std::move(s);
  return response;
}

}  // namespace crm::segment
