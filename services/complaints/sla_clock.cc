#include "services/complaints/sla_clock.h"

#include <algorithm>

namespace crm::complaints {

void RunningTime::Start(absl::Time t) {
  if (running_) return;
  running_ = true;
  open_since_ = t;
}

void RunningTime::Stop(absl::Time t) {
  if (!running_) return;
  running_ = false;
  if (open_since_ < t) closed_.emplace_back(open_since_, t);
}

absl::Time RunningTime::When(const BusinessCalendar& calendar, absl::Duration work,
                             absl::Time resume_at) const {
  for (const auto& [from, to] : closed_) {
    const absl::Duration run = calendar.Between(from, to);
    if (work <= run) return calendar.Add(from, work);
    work -= run;
  }
  if (running_) return calendar.Add(open_since_, work);
  const absl::Time last_stop = closed_.empty() ? resume_at : closed_.back().second;
  return calendar.Add(std::max(resume_at, last_stop), work);
}

absl::Duration RunningTime::RunBy(const BusinessCalendar& calendar, absl::Time at) const {
  absl::Duration run;
  for (const auto& [from, to] : closed_) run += calendar.Between(from, std::min(to, at));
  if (running_) run += calendar.Between(open_since_, at);
  return run;
}

SlaClocks ReplayClocks(const BusinessCalendar& calendar,
                       const google::protobuf::RepeatedPtrField<v1::Step>& timeline,
                       absl::Time now) {
  SlaClocks c;
  bool responded = false, resolved = false;
  auto end_pause = [&](absl::Time t) {
    if (!c.paused_since) return;
    c.paused_business += calendar.Between(*c.paused_since, t);
    c.paused_since.reset();
    c.pause_reason.clear();
  };
  for (const v1::Step& step : timeline) {
    const absl::Time t = absl::FromUnixSeconds(step.time().seconds()) +
                         absl::Nanoseconds(step.time().nanos());
    switch (step.kind()) {
      case v1::Step::KIND_RECEIVED:
        c.received = c.round_start = t;
        c.first_response.Start(t);
        c.resolution.Start(t);
        break;
      case v1::Step::KIND_ACKNOWLEDGED:
        if (responded) break;
        responded = true;
        c.first_response_at = t;
        c.first_response.Stop(t);
        break;
      case v1::Step::KIND_PAUSED:
        if (c.paused_since || resolved) break;
        c.paused_since = t;
        c.pause_reason = step.note();
        c.first_response.Stop(t);
        c.resolution.Stop(t);
        break;
      case v1::Step::KIND_RESUMED:
        if (!c.paused_since) break;
        end_pause(t);
        if (!responded) c.first_response.Start(t);
        c.resolution.Start(t);
        break;
      case v1::Step::KIND_RESOLVED:
        end_pause(t);
        resolved = true;
        c.resolved_at = t;
        c.first_response.Stop(t);
        c.resolution.Stop(t);
        break;
      case v1::Step::KIND_REOPENED:
        if (!resolved) break;
        resolved = false;
        c.resolved_at.reset();
        ++c.round;
        c.round_start = t;
        c.resolution.Start(t);
        break;
      default:
        break;
    }
  }
  if (c.paused_since) c.paused_business += calendar.Between(*c.paused_since, now);
  return c;
}

namespace {

void ToTimestamp(absl::Time t, google::protobuf::Timestamp* out) {
  if (t == absl::InfiniteFuture()) return;  // no working time ahead: no due time
  const int64_t seconds = absl::ToUnixSeconds(t);
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>((t - absl::FromUnixSeconds(seconds)) / absl::Nanoseconds(1)));
}

// Met when stopped by the due time; missed once past it; undecided before.
std::optional<bool> Attainment(const std::optional<absl::Time>& done, absl::Time due,
                               absl::Time now) {
  if (done) return *done <= due;
  if (now > due) return false;
  return std::nullopt;
}

}  // namespace

void FillSlaStatus(const BusinessCalendar& calendar, const SlaClocks& clocks,
                   const SlaTargets& targets, absl::Time now, v1::SlaStatus& status) {
  const absl::Time fr_due = clocks.first_response.When(calendar, targets.first_response, now);
  const absl::Time res_due = clocks.resolution.When(calendar, targets.resolution, now);
  ToTimestamp(fr_due, status.mutable_first_response_due());
  ToTimestamp(res_due, status.mutable_resolution_due());
  if (clocks.first_response_at) {
    ToTimestamp(*clocks.first_response_at, status.mutable_first_response_time());
  }
  if (clocks.resolved_at) ToTimestamp(*clocks.resolved_at, status.mutable_resolution_time());
  const auto fr_met = Attainment(clocks.first_response_at, fr_due, now);
  const auto res_met = Attainment(clocks.resolved_at, res_due, now);
  if (fr_met) status.set_first_response_met(*fr_met);
  if (res_met) status.set_resolution_met(*res_met);
  status.set_paused(clocks.paused_since.has_value());
  status.set_pause_reason(clocks.pause_reason);
  status.set_paused_seconds(absl::ToInt64Seconds(clocks.paused_business));
  status.set_at_risk((!clocks.first_response_at && fr_met == false) ||
                     (!clocks.resolved_at && res_met == false));
}

std::optional<absl::Time> EscalationTime(const BusinessCalendar& calendar,
                                         const SlaClocks& clocks, const SlaTargets& targets,
                                         const v1::EscalationRule& rule, absl::Time now) {
  const bool first_response = rule.clock() == v1::SLA_CLOCK_FIRST_RESPONSE;
  if (first_response && clocks.round > 0) return std::nullopt;  // decided in round 0
  const RunningTime& clock = first_response ? clocks.first_response : clocks.resolution;
  const absl::Duration work =
      (first_response ? targets.first_response : targets.resolution) * rule.percent_elapsed() /
      100;
  if (!clock.running() && clock.RunBy(calendar, now) < work) return std::nullopt;
  const absl::Time at = clock.When(calendar, work, now);
  if (!first_response && clocks.round_start && at < *clocks.round_start) return std::nullopt;
  return at;
}

}  // namespace crm::complaints
