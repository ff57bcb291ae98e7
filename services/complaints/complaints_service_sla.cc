// ComplaintsService: SLA configuration, the sweep (escalations) and the
// pending calls to identify and loyalty.
#include <algorithm>
#include <atomic>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/parallel.h"
#include "common/sql_util.h"
#include "common/text.h"
#include "crm/complaints/v1/events.pb.h"
#include "services/complaints/complaints_service.h"

namespace crm::complaints {
namespace {

constexpr absl::Duration kPendingLease = absl::Seconds(30);
constexpr int kPendingBatch = 200;
constexpr int kMaxLinkAttempts = 30;
// Each worker holds a pooled connection and may need a second one for the
// SLA configuration: at most half the default pool of 8.
constexpr int kSweepWorkers = 4;

// 1 min, 2 min, 4 min ... at most a day.
absl::Duration Backoff(int attempts) {
  return std::min(absl::Minutes(1) * (1 << std::min(attempts - 1, 11)), absl::Hours(24));
}

v1::Actor System(std::string note) {
  v1::Actor by;
  by.set_actor("system");
  by.set_note(std::move(note));
  return by;
}

std::string CompensationKey(const v1::Complaint& c) {
  return absl::StrCat("complaint/", c.complaint_id(), "/proposal/", c.proposal().number());
}

}  // namespace

absl::StatusOr<v1::SetBusinessCalendarResponse> ComplaintsService::SetBusinessCalendar(
    const v1::SetBusinessCalendarRequest& request) {
  v1::BusinessCalendar calendar = request.calendar();
  if (absl::Status s = ValidateCalendar(calendar); !s.ok()) return s;
  ToProtoTimestamp(clock_->Now(), calendar.mutable_update_time());
  auto stored = store_->PutCalendar(calendar);
  if (!stored.ok()) return stored.status();
  sla_.Invalidate();
  v1::SetBusinessCalendarResponse response;
  *response.mutable_calendar() = *std::move(stored);
  return response;
}

absl::StatusOr<v1::GetBusinessCalendarResponse> ComplaintsService::GetBusinessCalendar(
    const v1::GetBusinessCalendarRequest& request) {
  if (absl::Status s = CheckCodeName("calendar_id", request.calendar_id(), 32); !s.ok()) return s;
  auto calendar = store_->GetCalendar(request.calendar_id());
  if (absl::IsNotFound(calendar.status()) && request.calendar_id() == "default") {
    calendar = DefaultCalendar();
  }
  if (!calendar.ok()) return calendar.status();
  v1::GetBusinessCalendarResponse response;
  *response.mutable_calendar() = *std::move(calendar);
  return response;
}

absl::StatusOr<v1::SetSlaPolicyResponse> ComplaintsService::SetSlaPolicy(
    const v1::SetSlaPolicyRequest& request) {
  v1::SlaPolicy policy = request.policy();
  if (absl::Status s = ValidatePolicy(policy); !s.ok()) return s;
  if (policy.calendar_id() != "default") {
    auto calendar = store_->GetCalendar(policy.calendar_id());
    if (absl::IsNotFound(calendar.status())) {
      return Error(absl::StatusCode::kFailedPrecondition, "CALENDAR_NOT_FOUND",
                   absl::StrCat("set the business calendar ", policy.calendar_id(), " first"),
                   {{"calendar_id", policy.calendar_id()}});
    }
    if (!calendar.ok()) return calendar.status();
  }
  const absl::Time now = clock_->Now();
  ToProtoTimestamp(now, policy.mutable_update_time());
  auto stored = store_->PutPolicy(policy);
  if (!stored.ok()) return stored.status();
  sla_.Invalidate();
  if (absl::Status s = store_->CheckClassAgain(policy.sla_class(), now); !s.ok()) return s;
  v1::SetSlaPolicyResponse response;
  *response.mutable_policy() = *std::move(stored);
  return response;
}

absl::StatusOr<v1::GetSlaPolicyResponse> ComplaintsService::GetSlaPolicy(
    const v1::GetSlaPolicyRequest& request) {
  if (absl::Status s = CheckCodeName("sla_class", request.sla_class(), 64); !s.ok()) return s;
  auto policy = store_->GetPolicy(request.sla_class());
  if (absl::IsNotFound(policy.status()) && request.sla_class() == kStandardSlaClass) {
    policy = DefaultPolicy();
  }
  if (!policy.ok()) return policy.status();
  v1::GetSlaPolicyResponse response;
  *response.mutable_policy() = *std::move(policy);
  return response;
}

absl::Status ComplaintsService::Escalate(ComplaintRecord& r, absl::Time now) {
  v1::Complaint& c = r.complaint;
  if (!IsOpen(c.status())) return absl::OkStatus();
  auto rules = sla_.For(c.sla().sla_class().empty() ? std::string(kStandardSlaClass)
                                                    : c.sla().sla_class());
  if (!rules.ok()) return rules.status();
  const BusinessCalendar& calendar = *rules->calendar;
  const SlaTargets targets = TargetsFor(rules->policy, c.severity());
  const SlaClocks clocks = ReplayClocks(calendar, c.timeline(), now);
  for (int i = 0; i < rules->policy.escalations_size(); ++i) {
    const v1::EscalationRule& rule = rules->policy.escalations(i);
    const int round = rule.clock() == v1::SLA_CLOCK_FIRST_RESPONSE ? 0 : clocks.round;
    if (r.fired.contains({i, round})) continue;
    const auto at = EscalationTime(calendar, clocks, targets, rule, now);
    if (!at || *at > now) continue;
    r.new_fired.emplace_back(i, round);
    std::string note = absl::StrCat(v1::SlaClock_Name(rule.clock()), " at ",
                                    rule.percent_elapsed(), "%: ",
                                    v1::EscalationAction_Name(rule.action()));
    if (rule.action() == v1::ESCALATION_ACTION_REASSIGN) {
      c.set_team(rule.team());
      c.clear_agent();
      absl::StrAppend(&note, " to team ", rule.team());
    } else if (rule.action() == v1::ESCALATION_ACTION_RAISE_TO_MANAGER) {
      c.set_agent(rule.manager());
      absl::StrAppend(&note, " to ", rule.manager());
    }
    AddStep(c, v1::Step::KIND_ESCALATED, now, System(std::move(note)), i + 1);
    auto event = std::make_unique<v1::ComplaintEscalated>();
    event->set_complaint_id(c.complaint_id());
    event->set_level(i + 1);
    event->set_action(rule.action());
    event->set_team(c.team());
    event->set_agent(c.agent());
    r.events.push_back(std::move(event));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::RunSlaSweepResponse> ComplaintsService::RunSlaSweep(
    const v1::RunSlaSweepRequest& request) {
  const int limit = request.limit() == 0 ? 10000 : request.limit();
  if (limit < 1 || limit > 100000) return InvalidArgument("limit", "must be 1-100000");
  const absl::Time as_of =
      request.has_as_of() ? FromProtoTimestamp(request.as_of()) : clock_->Now();
  auto due = store_->DueForCheck(as_of, limit);
  if (!due.ok()) return due.status();
  std::atomic<int64_t> checked{0}, escalations{0};
  std::atomic<bool> failed{false};
  absl::Mutex mu;
  absl::Status first_error;
  // Each complaint is its own short transaction; several at a time keep the
  // database busy while one waits for its commit.
  ParallelFor(due->size(), kSweepWorkers, [&](size_t i) {
    if (failed) return;
    int fired = 0;
    auto updated = store_->Update(
        {"RunSlaSweep", "", ""}, (*due)[i],
        [&](ComplaintRecord& r) -> absl::Status {
          if (absl::Status s = Escalate(r, as_of); !s.ok()) return s;
          fired = static_cast<int>(r.new_fired.size());
          return Refresh(r, as_of);
        },
        /*skip_locked=*/true);
    if (ReasonOf(updated.status()) == "COMPLAINT_BUSY") return;  // another replica has it
    if (!updated.ok()) {
      absl::MutexLock lock(&mu);
      if (!failed.exchange(true)) first_error = updated.status();
      return;
    }
    ++checked;
    escalations += fired;
  });
  // Calls to other services are due in real time, whatever `as_of` says.
  const auto [completed, remaining] = RunPendingCalls(clock_->Now(), limit);
  if (failed) return first_error;
  v1::RunSlaSweepResponse response;
  response.set_complaints_checked(checked);
  response.set_escalations(escalations);
  response.set_pending_completed(completed);
  response.set_pending_remaining(remaining);
  return response;
}

std::pair<int64_t, int64_t> ComplaintsService::RunPendingCalls(absl::Time now, int limit) {
  // A batch small enough to finish well within its claim.
  auto calls = store_->ClaimPendingCalls(now, kPendingLease, std::min(limit, kPendingBatch),
                                         ids_->Next());
  if (!calls.ok()) {
    log::Warn("pending calls not claimed", {{"error", calls.status().ToString()}});
    return {0, 0};
  }
  int64_t completed = 0, failed = 0;
  for (const PendingCall& call : *calls) {
    const absl::Status done = Complete(call, now);
    if (done.ok()) {
      ++completed;
      continue;
    }
    ++failed;
    (void)store_->RetryPendingCallAt(call, now + Backoff(call.attempts), done.message());
  }
  return {completed, failed};
}

absl::Status ComplaintsService::Complete(const PendingCall& call, absl::Time now) {
  switch (call.kind) {
    case PendingKind::kGrantPoints:
      return GrantCompensation(call.complaint_id, now);
    case PendingKind::kRecordContact:
      return RecordContact(call);
    case PendingKind::kLinkCustomer: {
      if (peers_.customers == nullptr) return absl::UnavailableError("identify is not configured");
      v1::FileComplaintRequest link;
      link.ParseFromString(call.payload);
      auto customer =
          peers_.customers->CustomerOf(link.customer_identifier(), link.default_region());
      if (!customer.ok()) {
        if (absl::IsUnavailable(customer.status()) ||
            (absl::IsNotFound(customer.status()) && call.attempts < kMaxLinkAttempts)) {
          return customer.status();  // not known yet: try again later
        }
        return store_->FinishPendingCall(call);  // never identified: LinkCustomer remains
      }
      v1::LinkCustomerRequest request;
      request.set_complaint_id(call.complaint_id);
      request.set_customer_id(*customer);
      *request.mutable_by() = System("identified through identify");
      auto linked = LinkCustomer(request);
      if (absl::IsFailedPrecondition(linked.status())) return store_->FinishPendingCall(call);
      return linked.status();
    }
  }
  return absl::InternalError("unknown pending call");
}

absl::Status ComplaintsService::GrantCompensation(const std::string& complaint_id,
                                                  absl::Time now) {
  if (peers_.points == nullptr) return absl::UnavailableError("loyalty is not configured");
  auto record = store_->Load(complaint_id);
  if (!record.ok()) return record.status();
  const v1::Complaint& c = record->complaint;
  if (c.resolution().compensation_status() != v1::COMPENSATION_STATUS_PENDING) {
    return absl::OkStatus();
  }
  const v1::Remedy* remedy = nullptr;
  for (const auto& r : c.proposal().remedies()) {
    if (r.type() == v1::REMEDY_TYPE_COMPENSATION_POINTS) remedy = &r;
  }
  if (remedy == nullptr) return absl::OkStatus();
  auto entry = peers_.points->Grant(CompensationKey(c), remedy->loyalty_member_id(),
                                    remedy->points(),
                                    absl::StrCat("complaint compensation: ", c.subject()),
                                    c.complaint_id());
  if (absl::IsUnavailable(entry.status())) return entry.status();
  auto updated = store_->Update({"GrantCompensation", "", ""}, complaint_id,
                                [&](ComplaintRecord& r) -> absl::Status {
                                  v1::Resolution& res = *r.complaint.mutable_resolution();
                                  if (res.compensation_status() !=
                                      v1::COMPENSATION_STATUS_PENDING) {
                                    return absl::OkStatus();
                                  }
                                  r.done_pending.push_back(PendingKind::kGrantPoints);
                                  if (entry.ok()) {
                                    res.set_compensation_status(v1::COMPENSATION_STATUS_GRANTED);
                                    res.set_compensation_entry_id(*entry);
                                    AddStep(r.complaint, v1::Step::KIND_COMPENSATION_GRANTED, now,
                                            System(absl::StrCat(remedy->points(), " points")));
                                  } else {
                                    res.set_compensation_status(v1::COMPENSATION_STATUS_FAILED);
                                    res.set_compensation_note(
                                        std::string(entry.status().message()).substr(0, 500));
                                  }
                                  return Refresh(r, now);
                                });
  return updated.status();
}

}  // namespace crm::complaints
