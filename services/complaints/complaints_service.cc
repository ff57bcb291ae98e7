#include "services/complaints/complaints_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/paging.h"
#include "common/sql_util.h"
#include "common/text.h"
#include "crm/complaints/v1/events.pb.h"
#include "services/complaints/complaint_metrics.h"

namespace crm::complaints {
namespace {

absl::Status ValidateNewComplaint(v1::Complaint& c) {
  if (!c.customer_id().empty() && !IsValidId(c.customer_id())) {
    return InvalidArgument("complaint.customer_id", "must be empty or a 26-character customer id");
  }
  if (c.channel() == v1::CHANNEL_UNSPECIFIED || !v1::Channel_IsValid(c.channel())) {
    return InvalidArgument("complaint.channel", "is required");
  }
  if (c.severity() == v1::SEVERITY_UNSPECIFIED) c.set_severity(v1::SEVERITY_MEDIUM);
  if (!v1::Severity_IsValid(c.severity())) {
    return InvalidArgument("complaint.severity", "must be LOW, MEDIUM, HIGH or CRITICAL");
  }
  if (absl::Status s = CheckText("complaint.subject", *c.mutable_subject(), 1, 200); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckText("complaint.description", *c.mutable_description(), 1, 10000);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckText("complaint.desired_outcome", *c.mutable_desired_outcome(), 0,
                                 2000);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckText("complaint.product", *c.mutable_product(), 0, 200); !s.ok()) {
    return s;
  }
  return CheckText("complaint.order_reference", *c.mutable_order_reference(), 0, 100);
}

// Only what the handler needs to recognise it: "***5678", "z***@example.com".
std::string MaskIdentifier(const std::string& value) {
  const size_t at = value.find('@');
  if (at != std::string::npos && at > 0) {
    return absl::StrCat(value.substr(0, 1), "***", value.substr(at));
  }
  return absl::StrCat("***", value.size() > 4 ? value.substr(value.size() - 4) : "");
}

// The output-only parts a caller may not set.
void KeepCallerFields(v1::Complaint& c) {
  const v1::Complaint given = c;
  c.Clear();
  c.set_customer_id(given.customer_id());
  c.set_channel(given.channel());
  c.set_subject(given.subject());
  c.set_description(given.description());
  c.set_desired_outcome(given.desired_outcome());
  c.set_product(given.product());
  c.set_order_reference(given.order_reference());
  c.set_severity(given.severity());
}

}  // namespace

void AddStep(v1::Complaint& complaint, v1::Step::Kind kind, absl::Time at, const v1::Actor& by,
             int value) {
  v1::Step* step = complaint.add_timeline();
  step->set_kind(kind);
  ToProtoTimestamp(at, step->mutable_time());
  step->set_actor(by.actor());
  step->set_note(by.note());
  step->set_status(complaint.status());
  step->set_value(value);
  ToProtoTimestamp(at, complaint.mutable_update_time());
}

PendingCall ContactCall(const v1::Complaint& c) {
  identify::v1::Contact contact;
  contact.set_customer_id(c.customer_id());
  contact.set_channel(identify::v1::COLLECTION_CHANNEL_COMPLAINT);
  contact.set_kind("complaint");
  *contact.mutable_contact_time() = c.create_time();
  contact.set_reference(c.complaint_id());
  contact.set_note(c.subject());
  return {c.complaint_id(), PendingKind::kRecordContact, contact.SerializeAsString(), 0,
          absl::Seconds(10), ""};
}

absl::Status ComplaintsService::RecordContact(const PendingCall& call) {
  if (peers_.customers == nullptr) return absl::UnavailableError("identify is not configured");
  identify::v1::Contact contact;
  contact.ParseFromString(call.payload);
  const absl::Status s = peers_.customers->RecordContact(
      absl::StrCat("complaint/", call.complaint_id, "/contact"), contact);
  if (absl::IsUnavailable(s)) return s;
  if (!s.ok()) {
    log::Warn("contact not recorded",
              {{"complaint_id", call.complaint_id}, {"error", std::string(s.message())}});
  }
  return store_->FinishPendingCall(call);
}

void ComplaintsService::RecordContactNow(const v1::Complaint& complaint) {
  (void)RecordContact(ContactCall(complaint));  // what fails stays pending for the worker
}

CustomerTier ComplaintsService::TierOf(const std::string& customer_id) {
  CustomerTier unknown{"", kStandardSlaClass};
  if (customer_id.empty() || peers_.tiers == nullptr) return unknown;
  auto tier = peers_.tiers->TierOf(customer_id);
  if (!tier.ok()) {
    if (!absl::IsNotFound(tier.status())) {
      log::Warn("tier lookup failed, standard SLA applies",
                {{"error", std::string(tier.status().message())}});
    }
    return unknown;
  }
  if (!IsCodeName(tier->sla_class, 64)) tier->sla_class = kStandardSlaClass;
  return *tier;
}

absl::StatusOr<v1::FileComplaintResponse> ComplaintsService::FileComplaint(
    const v1::FileComplaintRequest& request) {
  auto key = MakeRequestKey("FileComplaint", request.request_id(), request);
  if (!key.ok()) return key.status();
  ComplaintRecord record;
  v1::Complaint& complaint = record.complaint;
  complaint = request.complaint();
  KeepCallerFields(complaint);
  if (absl::Status s = ValidateNewComplaint(complaint); !s.ok()) return s;
  v1::Actor by;
  by.set_actor(request.actor().empty() ? "intake" : request.actor());
  if (by.actor().size() > 64) return InvalidArgument("actor", "must be at most 64 characters");
  const bool by_identifier = request.has_customer_identifier();
  if (by_identifier && !complaint.customer_id().empty()) {
    return InvalidArgument("customer_identifier", "give a customer id or an identifier, not both");
  }
  if (by_identifier) {
    const identify::v1::IdentifierType type = request.customer_identifier().type();
    if (type == identify::v1::IDENTIFIER_TYPE_UNSPECIFIED ||
        !identify::v1::IdentifierType_IsValid(type)) {
      return InvalidArgument("customer_identifier.type", "is required");
    }
    const std::string& value = request.customer_identifier().value();
    if (value.empty() || value.size() > 320) {
      return InvalidArgument("customer_identifier.value", "must be 1-320 characters");
    }
    absl::Status resolved = absl::UnavailableError("identify is not configured");
    if (peers_.customers != nullptr) {
      auto customer =
          peers_.customers->CustomerOf(request.customer_identifier(), request.default_region());
      if (customer.ok()) complaint.set_customer_id(*customer);
      resolved = customer.status();
    }
    if (absl::IsInvalidArgument(resolved)) {
      return InvalidArgument("customer_identifier", resolved.message());
    }
    if (!resolved.ok()) {  // unknown or identify unreachable: accepted, linked later
      complaint.set_unlinked_identifier(MaskIdentifier(value));
      v1::FileComplaintRequest link;
      *link.mutable_customer_identifier() = request.customer_identifier();
      link.set_default_region(request.default_region());
      record.new_pending.push_back(
          {"", PendingKind::kLinkCustomer, link.SerializeAsString(), 0, {}, ""});
    }
  }
  const CustomerTier tier = TierOf(complaint.customer_id());
  const absl::Time now = clock_->Now();
  complaint.set_complaint_id(ids_->Next());
  complaint.set_status(v1::COMPLAINT_STATUS_RECEIVED);
  complaint.set_tier(tier.tier);
  complaint.mutable_sla()->set_sla_class(tier.sla_class);
  ToProtoTimestamp(now, complaint.mutable_create_time());
  AddStep(complaint, v1::Step::KIND_RECEIVED, now, by);
  if (!complaint.customer_id().empty()) record.new_pending.push_back(ContactCall(complaint));
  auto filed = std::make_unique<v1::ComplaintFiled>();
  filed->set_complaint_id(complaint.complaint_id());
  filed->set_customer_id(complaint.customer_id());
  filed->set_channel(complaint.channel());
  filed->set_severity(complaint.severity());
  filed->set_tier(complaint.tier());
  record.events.push_back(std::move(filed));
  if (absl::Status s = Refresh(record, now); !s.ok()) return s;
  auto stored = store_->Create(*key, record);
  if (!stored.ok()) return stored.status();
  if (!stored->customer_id().empty()) RecordContactNow(*stored);
  v1::FileComplaintResponse response;
  *response.mutable_complaint() = *std::move(stored);
  return response;
}

absl::StatusOr<v1::Complaint> ComplaintsService::Present(absl::string_view complaint_id) {
  auto record = store_->Load(complaint_id);
  if (!record.ok()) return record.status();
  if (absl::Status s = Refresh(*record, clock_->Now()); !s.ok()) return s;
  return std::move(record->complaint);
}

absl::StatusOr<v1::GetComplaintResponse> ComplaintsService::GetComplaint(
    const v1::GetComplaintRequest& request) {
  if (!IsValidId(request.complaint_id())) {
    return InvalidArgument("complaint_id", "must be a 26-character complaint id");
  }
  auto complaint = Present(request.complaint_id());
  if (!complaint.ok()) return complaint.status();
  v1::GetComplaintResponse response;
  *response.mutable_complaint() = *std::move(complaint);
  return response;
}

absl::StatusOr<v1::ListComplaintsResponse> ComplaintsService::ListComplaints(
    const v1::ListComplaintsRequest& request) {
  auto size = PageSize(request.page_size(), 50, 500);
  if (!size.ok()) return size.status();
  if (!v1::ComplaintStatus_IsValid(request.status())) {
    return InvalidArgument("status", "is not a complaint status");
  }
  if (!request.customer_id().empty() && !IsValidId(request.customer_id())) {
    return InvalidArgument("customer_id", "must be a 26-character customer id");
  }
  if (request.team().size() > 64) return InvalidArgument("team", "at most 64 characters");
  if (request.agent().size() > 64) return InvalidArgument("agent", "at most 64 characters");
  if (absl::Status s = CheckCodeName("category", request.category(), 64, /*optional=*/true);
      !s.ok()) {
    return s;
  }
  v1::ListComplaintsRequest filters = request;
  filters.clear_page_size();
  filters.clear_page_token();
  const std::string fingerprint = Fingerprint(filters);
  auto after = DecodePageToken(request.page_token(), fingerprint);
  if (!after.ok()) return after.status();
  ComplaintFilter filter{request.status(),   request.team(),    request.agent(),
                         request.customer_id(), request.category(), request.overdue(),
                         clock_->Now(),      *after,            *size + 1};
  auto complaints = store_->List(filter);
  if (!complaints.ok()) return complaints.status();
  v1::ListComplaintsResponse response;
  response.set_next_page_token(TakePage(*complaints, *size, fingerprint,
                                        *response.mutable_complaints(),
                                        [](const v1::Complaint& c) { return c.complaint_id(); }));
  return response;
}

absl::Status ComplaintsService::Refresh(ComplaintRecord& r, absl::Time now) {
  v1::Complaint& c = r.complaint;
  const std::string sla_class =
      c.sla().sla_class().empty() ? std::string(kStandardSlaClass) : c.sla().sla_class();
  auto rules = sla_.For(sla_class);
  if (!rules.ok()) return rules.status();
  const BusinessCalendar& calendar = *rules->calendar;
  const SlaTargets targets = TargetsFor(rules->policy, c.severity());
  const SlaClocks clocks = ReplayClocks(calendar, c.timeline(), now);
  v1::SlaStatus& sla = *c.mutable_sla();
  sla.Clear();
  sla.set_sla_class(sla_class);
  sla.set_policy_version(rules->policy.version());
  FillSlaStatus(calendar, clocks, targets, now, sla);

  const bool open = IsOpen(c.status());
  std::optional<absl::Time> next;
  auto consider = [&](absl::Time t) {
    if (!next || t < *next) next = t;
  };
  int level = 0;
  bool predicted = false;
  for (int i = 0; i < rules->policy.escalations_size(); ++i) {
    const v1::EscalationRule& rule = rules->policy.escalations(i);
    const int round = rule.clock() == v1::SLA_CLOCK_FIRST_RESPONSE ? 0 : clocks.round;
    const bool fired = r.fired.contains({i, round}) ||
                       std::find(r.new_fired.begin(), r.new_fired.end(),
                                 std::make_pair(i, round)) != r.new_fired.end();
    if (fired) {
      level = std::max(level, i + 1);
      predicted = predicted || (open && rule.percent_elapsed() < 100);
      continue;
    }
    if (!open) continue;
    if (auto at = EscalationTime(calendar, clocks, targets, rule, now)) consider(*at);
  }
  sla.set_escalation_level(level);
  sla.set_at_risk(open && (sla.at_risk() || predicted));
  // A due time still ahead decides attainment when it passes.
  if (open && !sla.paused()) {
    if (!sla.has_first_response_met() && sla.has_first_response_due()) {
      consider(FromProtoTimestamp(sla.first_response_due()) + absl::Microseconds(1));
    }
    if (!sla.has_resolution_met() && sla.has_resolution_due()) {
      consider(FromProtoTimestamp(sla.resolution_due()) + absl::Microseconds(1));
    }
  }
  r.next_check_at = next;
  return absl::OkStatus();
}

absl::StatusOr<v1::GetComplaintMetricsResponse> ComplaintsService::GetComplaintMetrics(
    const v1::GetComplaintMetricsRequest& request) {
  if (!request.has_start_time() || !request.has_end_time() ||
      FromProtoTimestamp(request.end_time()) <= FromProtoTimestamp(request.start_time())) {
    return InvalidArgument("end_time", "start_time and end_time are required, start first");
  }
  if (!v1::MetricsGrouping_IsValid(request.group_by())) {
    return InvalidArgument("group_by", "is not a grouping");
  }
  if (request.rate_denominator() < 0) {
    return InvalidArgument("rate_denominator", "must not be negative");
  }
  if (request.top_root_causes() < 0 || request.top_root_causes() > 50) {
    return InvalidArgument("top_root_causes", "must be 0-50");
  }
  auto facts = store_->FactsFiledIn(FromProtoTimestamp(request.start_time()),
                                    FromProtoTimestamp(request.end_time()));
  if (!facts.ok()) return facts.status();
  v1::GetComplaintMetricsResponse response;
  for (auto& group : ComputeMetrics(*facts, request.group_by(), request.rate_denominator(),
                                    request.top_root_causes() == 0 ? 10
                                                                   : request.top_root_causes())) {
    *response.add_groups() = std::move(group);
  }
  return response;
}

}  // namespace crm::complaints
