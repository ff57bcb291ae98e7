#include "services/complaints/sla_config.h"

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/text.h"

namespace crm::complaints {
namespace {

constexpr int kMaxTargetMinutes = 525600;  // a year

v1::SeverityTarget Target(v1::Severity severity, int first_response_hours,
                          int resolution_hours) {
  v1::SeverityTarget t;
  t.set_severity(severity);
  t.set_first_response_minutes(first_response_hours * 60);
  t.set_resolution_minutes(resolution_hours * 60);
  return t;
}

}  // namespace

absl::Status ValidateCalendar(const v1::BusinessCalendar& calendar) {
  if (absl::Status s = CheckCodeName("calendar.calendar_id", calendar.calendar_id(), 32);
      !s.ok()) {
    return s;
  }
  return BusinessCalendar::Create(calendar).status();
}

absl::Status ValidatePolicy(const v1::SlaPolicy& policy) {
  if (absl::Status s = CheckCodeName("policy.sla_class", policy.sla_class(), 64); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckCodeName("policy.calendar_id", policy.calendar_id(), 32); !s.ok()) {
    return s;
  }
  bool seen[5] = {};
  for (int i = 0; i < policy.targets_size(); ++i) {
    const v1::SeverityTarget& t = policy.targets(i);
    const std::string field = absl::StrCat("policy.targets[", i, "]");
    if (t.severity() == v1::SEVERITY_UNSPECIFIED || !v1::Severity_IsValid(t.severity())) {
      return InvalidArgument(field + ".severity", "must be LOW, MEDIUM, HIGH or CRITICAL");
    }
    if (seen[t.severity()]) return InvalidArgument(field + ".severity", "appears twice");
    seen[t.severity()] = true;
    if (t.first_response_minutes() < 1 || t.first_response_minutes() > kMaxTargetMinutes) {
      return InvalidArgument(field + ".first_response_minutes", "must be 1-525600");
    }
    if (t.resolution_minutes() < t.first_response_minutes() ||
        t.resolution_minutes() > kMaxTargetMinutes) {
      return InvalidArgument(field + ".resolution_minutes",
                             "must be at least first_response_minutes and at most 525600");
    }
  }
  if (policy.targets_size() != 4) {
    return InvalidArgument("policy.targets", "needs one target for each of the four severities");
  }
  if (policy.escalations_size() > 10) {
    return InvalidArgument("policy.escalations", "at most 10 rules");
  }
  for (int i = 0; i < policy.escalations_size(); ++i) {
    const v1::EscalationRule& r = policy.escalations(i);
    const std::string field = absl::StrCat("policy.escalations[", i, "]");
    if (r.clock() == v1::SLA_CLOCK_UNSPECIFIED || !v1::SlaClock_IsValid(r.clock())) {
      return InvalidArgument(field + ".clock", "must be FIRST_RESPONSE or RESOLUTION");
    }
    if (r.percent_elapsed() < 1 || r.percent_elapsed() > 1000) {
      return InvalidArgument(field + ".percent_elapsed", "must be 1-1000");
    }
    switch (r.action()) {
      case v1::ESCALATION_ACTION_NOTIFY:
        break;
      case v1::ESCALATION_ACTION_REASSIGN:
        if (r.team().empty() || r.team().size() > 64) {
          return InvalidArgument(field + ".team", "is required (1-64 characters) to reassign");
        }
        break;
      case v1::ESCALATION_ACTION_RAISE_TO_MANAGER:
        if (r.manager().empty() || r.manager().size() > 64) {
          return InvalidArgument(field + ".manager", "is required (1-64 characters)");
        }
        break;
      default:
        return InvalidArgument(field + ".action", "must be NOTIFY, REASSIGN or RAISE_TO_MANAGER");
    }
  }
  return absl::OkStatus();
}

v1::BusinessCalendar DefaultCalendar() {
  v1::BusinessCalendar c;
  c.set_calendar_id("default");
  c.set_time_zone("UTC");
  for (int day = 1; day <= 5; ++day) {
    auto* h = c.add_working_hours();
    h->set_iso_weekday(day);
    h->set_start_minute(9 * 60);
    h->set_end_minute(18 * 60);
  }
  return c;
}

v1::SlaPolicy DefaultPolicy() {
  v1::SlaPolicy p;
  p.set_sla_class(kStandardSlaClass);
  p.set_calendar_id("default");
  *p.add_targets() = Target(v1::SEVERITY_CRITICAL, 1, 8);
  *p.add_targets() = Target(v1::SEVERITY_HIGH, 4, 18);
  *p.add_targets() = Target(v1::SEVERITY_MEDIUM, 8, 45);
  *p.add_targets() = Target(v1::SEVERITY_LOW, 18, 90);
  for (int percent : {80, 100}) {
    auto* r = p.add_escalations();
    r->set_clock(v1::SLA_CLOCK_RESOLUTION);
    r->set_percent_elapsed(percent);
    r->set_action(v1::ESCALATION_ACTION_NOTIFY);
  }
  return p;
}

SlaTargets TargetsFor(const v1::SlaPolicy& policy, v1::Severity severity) {
  for (const auto& t : policy.targets()) {
    if (t.severity() == severity) {
      return {absl::Minutes(t.first_response_minutes()), absl::Minutes(t.resolution_minutes())};
    }
  }
  return TargetsFor(DefaultPolicy(), severity == v1::SEVERITY_UNSPECIFIED
                                         ? v1::SEVERITY_MEDIUM
                                         : severity);
}

absl::StatusOr<SlaRules> SlaConfig::For(const std::string& sla_class) {
  const absl::Time now = clock_->Now();
  {
    absl::MutexLock lock(&mu_);
    auto it = cache_.find(sla_class);
    if (it != cache_.end() && now - it->second.loaded < ttl_) return it->second.rules;
  }
  auto rules = Load(sla_class);
  if (!rules.ok()) return rules.status();
  absl::MutexLock lock(&mu_);
  cache_[sla_class] = Entry{*rules, now};
  return rules;
}

void SlaConfig::Invalidate() {
  absl::MutexLock lock(&mu_);
  cache_.clear();
}

absl::StatusOr<SlaRules> SlaConfig::Load(const std::string& sla_class) {
  auto policy = store_->GetPolicy(sla_class);
  if (absl::IsNotFound(policy.status()) && sla_class != kStandardSlaClass) {
    policy = store_->GetPolicy(kStandardSlaClass);
  }
  if (absl::IsNotFound(policy.status())) policy = DefaultPolicy();
  if (!policy.ok()) return policy.status();
  auto calendar = store_->GetCalendar(policy->calendar_id());
  if (absl::IsNotFound(calendar.status()) && policy->calendar_id() == "default") {
    calendar = DefaultCalendar();
  }
  if (!calendar.ok()) return calendar.status();
  auto compiled = BusinessCalendar::Create(*calendar);
  if (!compiled.ok()) return compiled.status();
  return SlaRules{*std::move(policy),
                  std::make_shared<const BusinessCalendar>(*std::move(compiled))};
}

}  // namespace crm::complaints
