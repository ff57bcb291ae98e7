#include <thread>

#include "services/complaints/complaint_metrics.h"
#include "tests/integration/complaints_fixture.h"

namespace crm::complaints {
namespace {

absl::Time Shanghai(int month, int day, int hour, int minute = 0) {
  absl::TimeZone zone;
  absl::LoadTimeZone("Asia/Shanghai", &zone);
  return absl::FromCivil(absl::CivilSecond(2026, month, day, hour, minute, 0), zone);
}

absl::Time At(const google::protobuf::Timestamp& t) { return FromProtoTimestamp(t); }

class ComplaintsSlaTest : public ComplaintsTest {
 protected:
  // Office hours 09:00-18:00 Monday-Friday in Shanghai, 2026-11-26 off;
  // class "premium": MEDIUM answers in 2 h and resolves in 8 h of working
  // time, HIGH in 1 h and 4 h.
  void SetUpPremium(std::vector<v1::EscalationRule> escalations = {}) {
    v1::SetBusinessCalendarRequest calendar;
    v1::BusinessCalendar& c = *calendar.mutable_calendar();
    c.set_calendar_id("shanghai_office");
    c.set_time_zone("Asia/Shanghai");
    for (int day = 1; day <= 5; ++day) {
      auto* h = c.add_working_hours();
      h->set_iso_weekday(day);
      h->set_start_minute(9 * 60);
      h->set_end_minute(18 * 60);
    }
    auto* holiday = c.add_holidays();
    holiday->set_year(2026);
    holiday->set_month(11);
    holiday->set_day(26);
    ASSERT_TRUE(service_.SetBusinessCalendar(calendar).ok());
    v1::SetSlaPolicyRequest policy;
    v1::SlaPolicy& p = *policy.mutable_policy();
    p.set_sla_class("premium");
    p.set_calendar_id("shanghai_office");
    const std::vector<std::tuple<v1::Severity, int, int>> targets = {
        {v1::SEVERITY_LOW, 240, 960},
        {v1::SEVERITY_MEDIUM, 120, 480},
        {v1::SEVERITY_HIGH, 60, 240},
        {v1::SEVERITY_CRITICAL, 30, 120}};
    for (const auto& [severity, first, resolve] : targets) {
      auto* t = p.add_targets();
      t->set_severity(severity);
      t->set_first_response_minutes(first);
      t->set_resolution_minutes(resolve);
    }
    for (auto& rule : escalations) *p.add_escalations() = rule;
    auto stored = service_.SetSlaPolicy(policy);
    ASSERT_TRUE(stored.ok()) << Describe(stored.status());
  }

  std::string FilePremium() {
    const std::string customer = ids_.Next();
    tiers_.tiers[customer] = {"vip", "premium"};
    return File(customer);
  }

  static v1::EscalationRule Rule(int percent, v1::EscalationAction action,
                                 const std::string& target = "") {
    v1::EscalationRule r;
    r.set_clock(v1::SLA_CLOCK_RESOLUTION);
    r.set_percent_elapsed(percent);
    r.set_action(action);
    if (action == v1::ESCALATION_ACTION_REASSIGN) r.set_team(target);
    if (action == v1::ESCALATION_ACTION_RAISE_TO_MANAGER) r.set_manager(target);
    return r;
  }

  v1::RunSlaSweepResponse Sweep(absl::Time as_of) {
    v1::RunSlaSweepRequest r;
    ToProtoTimestamp(as_of, r.mutable_as_of());
    auto swept = service_.RunSlaSweep(r);
    EXPECT_TRUE(swept.ok()) << Describe(swept.status());
    return swept.ok() ? *swept : v1::RunSlaSweepResponse();
  }
};

TEST_F(ComplaintsSlaTest, DeadlinesSkipNightsWeekendsAndHolidays) {
  SetUpPremium();
  clock_.Set(Shanghai(11, 25, 17));  // Wednesday 17:00; Thursday is a holiday
  const v1::Complaint c = Get(FilePremium());
  // Two hours to answer: one on Wednesday, the other on Friday morning.
  EXPECT_EQ(At(c.sla().first_response_due()), Shanghai(11, 27, 10));
  // Eight hours to resolve: 1 on Wednesday, 7 on Friday -> Friday 16:00.
  EXPECT_EQ(At(c.sla().resolution_due()), Shanghai(11, 27, 16));

  clock_.Set(Shanghai(11, 28, 3));  // Saturday night: filed now, due Monday
  const v1::Complaint weekend = Get(FilePremium());
  EXPECT_EQ(At(weekend.sla().first_response_due()), Shanghai(11, 30, 11));
}

TEST_F(ComplaintsSlaTest, APauseIsKeptWhenTheSeverityRetargetsTheDeadlines) {
  SetUpPremium();
  clock_.Set(Shanghai(11, 23, 9));  // Monday 09:00
  const std::string id = FilePremium();
  clock_.Set(Shanghai(11, 23, 9, 30));
  ASSERT_TRUE(Acknowledge(id).ok());
  v1::PauseSlaRequest pause;
  pause.set_complaint_id(id);
  *pause.mutable_by() = By("agent-7", "waiting for photos of the damage");
  ASSERT_TRUE(service_.PauseSla(pause).ok());
  clock_.Set(Shanghai(11, 24, 11));  // resumed Tuesday 11:00: 10.5 h paused (8.5 + 2)
  v1::ResumeSlaRequest resume;
  resume.set_complaint_id(id);
  *resume.mutable_by() = By("agent-7");
  ASSERT_TRUE(service_.ResumeSla(resume).ok());
  v1::Complaint c = Get(id);
  EXPECT_EQ(c.sla().paused_seconds(), 37800);
  // MEDIUM, 8 h: half an hour ran before the pause; 7.5 h from Tuesday
  // 11:00 are 7 h on Tuesday and 0.5 h on Wednesday.
  EXPECT_EQ(At(c.sla().resolution_due()), Shanghai(11, 25, 9, 30));
  ASSERT_TRUE(Assess(id, v1::SEVERITY_HIGH).ok());  // 4 h: 3.5 h from Tuesday 11:00
  c = Get(id);
  EXPECT_EQ(At(c.sla().resolution_due()), Shanghai(11, 24, 14, 30));
  EXPECT_EQ(c.sla().paused_seconds(), 37800);
  EXPECT_EQ(db_.Query(absl::StrCat("SELECT resolution_due FROM complaints WHERE complaint_id = '",
                                   id, "'")),
            ToSqlDatetime(Shanghai(11, 24, 14, 30)));
}

TEST_F(ComplaintsSlaTest, EscalationsFireOnceEachUnderTwoConcurrentSweeps) {
  SetUpPremium({Rule(50, v1::ESCALATION_ACTION_NOTIFY),
                Rule(100, v1::ESCALATION_ACTION_REASSIGN, "tier2_desk"),
                Rule(150, v1::ESCALATION_ACTION_RAISE_TO_MANAGER, "manager-1")});
  clock_.Set(Shanghai(11, 23, 9));
  constexpr int kComplaints = 60;
  std::vector<std::string> ids;
  for (int i = 0; i < kComplaints; ++i) ids.push_back(FilePremium());
  const std::string quiet = ids.back();
  ASSERT_TRUE(Acknowledge(quiet).ok());  // it stays open; the clock still runs
  // Monday 13:00: 4 of 8 hours have run, the 50% rule is due for all.
  EXPECT_EQ(Sweep(Shanghai(11, 23, 12, 59)).escalations(), 0);
  const absl::Time as_of = Shanghai(11, 23, 13, 0);
  v1::RunSlaSweepResponse a, b;
  std::thread first([&] { a = Sweep(as_of); });
  std::thread second([&] { b = Sweep(as_of); });
  first.join();
  second.join();
  EXPECT_EQ(a.escalations() + b.escalations(), kComplaints);
  EXPECT_EQ(db_.Count("complaint_escalations"), kComplaints);
  EXPECT_EQ(Sweep(as_of).escalations(), 0);  // nothing left to do
  // By Tuesday 14:00 the breach (8 h, Monday 17:00) reassigned and 150%
  // (12 h, Tuesday 12:00) raised to the manager.
  std::thread third([&] { a = Sweep(Shanghai(11, 24, 14)); });
  std::thread fourth([&] { b = Sweep(Shanghai(11, 24, 14)); });
  third.join();
  fourth.join();
  EXPECT_EQ(a.escalations() + b.escalations(), 2 * kComplaints);
  EXPECT_EQ(db_.Count("complaint_escalations"), 3 * kComplaints);
  EXPECT_EQ(db_.Count("complaint_steps", "kind = 14"), 3 * kComplaints);
  EXPECT_EQ(db_.Count("outbox_events", "event_type = 'crm.complaints.v1.ComplaintEscalated'"),
            3 * kComplaints);
  const v1::Complaint c = Get(ids[0]);
  EXPECT_EQ(c.team(), "tier2_desk");
  EXPECT_EQ(c.agent(), "manager-1");
  EXPECT_EQ(c.sla().escalation_level(), 3);
  EXPECT_TRUE(c.sla().at_risk());
  EXPECT_FALSE(c.sla().resolution_met());
  // Only what changed is touched: nothing is due any more.
  EXPECT_EQ(Sweep(Shanghai(11, 24, 15)).complaints_checked(), 0);
  v1::ListComplaintsRequest overdue;
  overdue.set_overdue(true);
  EXPECT_EQ(service_.ListComplaints(overdue)->complaints_size(), 0);  // Monday 09:00
  clock_.Set(Shanghai(11, 24, 15));
  overdue.set_page_size(500);
  auto listed = service_.ListComplaints(overdue);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->complaints_size(), kComplaints);
}

TEST_F(ComplaintsSlaTest, AReopenedComplaintEscalatesAgainOnlyForANewBreach) {
  SetUpPremium({Rule(100, v1::ESCALATION_ACTION_NOTIFY)});
  clock_.Set(Shanghai(11, 23, 9));
  const std::string id = FileAndTakeTo(v1::COMPLAINT_STATUS_ACCEPTED, [&] {
    const std::string customer = ids_.Next();
    tiers_.tiers[customer] = {"vip", "premium"};
    return customer;
  }());
  clock_.Set(Shanghai(11, 23, 10));
  ASSERT_TRUE(Resolve(id).ok());  // 1 h of 8 used
  ASSERT_TRUE(FollowUp(id, 2).ok());
  clock_.Set(Shanghai(11, 24, 9));
  ASSERT_TRUE(Reopen(id).ok());   // 7 h left from Tuesday 09:00 -> 16:00
  EXPECT_EQ(At(Get(id).sla().resolution_due()), Shanghai(11, 24, 16));
  EXPECT_EQ(Sweep(Shanghai(11, 24, 15, 59)).escalations(), 0);
  EXPECT_EQ(Sweep(Shanghai(11, 24, 16, 1)).escalations(), 1);
  EXPECT_EQ(Sweep(Shanghai(11, 24, 17)).escalations(), 0);
}

TEST_F(ComplaintsSlaTest, BadPoliciesAndCalendarsAreRefused) {
  v1::SetSlaPolicyRequest policy;
  policy.mutable_policy()->set_sla_class("gold");
  policy.mutable_policy()->set_calendar_id("nowhere");
  EXPECT_EQ(MetadataOf(service_.SetSlaPolicy(policy).status())["field"], "policy.targets");
  *policy.mutable_policy()->mutable_targets() = DefaultPolicy().targets();
  EXPECT_EQ(ReasonOf(service_.SetSlaPolicy(policy).status()), "CALENDAR_NOT_FOUND");
  policy.mutable_policy()->set_calendar_id("default");
  auto* rule = policy.mutable_policy()->add_escalations();
  rule->set_clock(v1::SLA_CLOCK_RESOLUTION);
  rule->set_percent_elapsed(100);
  rule->set_action(v1::ESCALATION_ACTION_REASSIGN);
  EXPECT_EQ(MetadataOf(service_.SetSlaPolicy(policy).status())["field"],
            "policy.escalations[0].team");
  rule->set_team("desk");
  auto stored = service_.SetSlaPolicy(policy);
  ASSERT_TRUE(stored.ok()) << Describe(stored.status());
  EXPECT_EQ(stored->policy().version(), 1);
  EXPECT_EQ(service_.SetSlaPolicy(policy)->policy().version(), 2);
  v1::GetSlaPolicyRequest get_policy;
  get_policy.set_sla_class(std::string(500, 'x'));
  EXPECT_EQ(MetadataOf(service_.GetSlaPolicy(get_policy).status())["field"], "sla_class");
  v1::GetBusinessCalendarRequest get_calendar;
  get_calendar.set_calendar_id("Bad Name");
  EXPECT_EQ(MetadataOf(service_.GetBusinessCalendar(get_calendar).status())["field"],
            "calendar_id");
  get_calendar.set_calendar_id("nowhere");
  EXPECT_EQ(ReasonOf(service_.GetBusinessCalendar(get_calendar).status()), "CALENDAR_NOT_FOUND");
  v1::SetBusinessCalendarRequest calendar;
  calendar.mutable_calendar()->set_calendar_id("Bad Name");
  EXPECT_EQ(MetadataOf(service_.SetBusinessCalendar(calendar).status())["field"],
            "calendar.calendar_id");
}

TEST_F(ComplaintsSlaTest, MetricsMeasureThePeriod) {
  clock_.Set(Shanghai(11, 23, 9));
  const std::string repeat = ids_.Next();
  const std::string a = FileAndTakeTo(v1::COMPLAINT_STATUS_CLOSED, repeat);  // satisfaction 4
  const std::string b = FileAndTakeTo(v1::COMPLAINT_STATUS_FOLLOWED_UP, repeat);
  ASSERT_TRUE(Reopen(b).ok());
  const std::string c = File();  // still open
  clock_.Advance(absl::Hours(1));
  ASSERT_TRUE(Acknowledge(c).ok());
  v1::GetComplaintMetricsRequest request;
  ToProtoTimestamp(Shanghai(11, 23, 0), request.mutable_start_time());
  ToProtoTimestamp(Shanghai(11, 24, 0), request.mutable_end_time());
  request.set_rate_denominator(1500);
  auto metrics = service_.GetComplaintMetrics(request);
  ASSERT_TRUE(metrics.ok()) << Describe(metrics.status());
  ASSERT_EQ(metrics->groups_size(), 1);
  const v1::ComplaintMetrics& m = metrics->groups(0);
  EXPECT_EQ(m.complaints(), 3);
  EXPECT_DOUBLE_EQ(m.complaints_per_thousand(), 2.0);
  EXPECT_EQ(m.first_response_seconds().count(), 3);
  EXPECT_EQ(m.first_response_seconds().median(), 0);
  EXPECT_EQ(m.first_response_seconds().p90(), 3600);
  EXPECT_EQ(m.resolution_seconds().count(), 1);  // b is open again
  EXPECT_DOUBLE_EQ(m.reopen_rate(), 0.5);
  EXPECT_EQ(m.repeat_complainants(), 1);
  EXPECT_DOUBLE_EQ(m.satisfaction_mean(), 4);
  EXPECT_EQ(m.satisfaction_counts(3), 1);
  ASSERT_EQ(m.top_root_causes_size(), 1);
  EXPECT_EQ(m.top_root_causes(0).root_cause(), "carrier_delay");
  EXPECT_EQ(m.top_root_causes(0).complaints(), 2);
  request.set_group_by(v1::METRICS_GROUPING_CATEGORY);
  metrics = service_.GetComplaintMetrics(request);
  ASSERT_TRUE(metrics.ok());
  ASSERT_EQ(metrics->groups_size(), 2);  // "" (not assessed) and "delivery"
  EXPECT_EQ(metrics->groups(1).group(), "delivery");
  EXPECT_EQ(metrics->groups(1).complaints(), 2);
  (void)a;
}

}  // namespace
}  // namespace crm::complaints
