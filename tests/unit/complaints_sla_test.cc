#include <gtest/gtest.h>

#include "services/complaints/business_calendar.h"
#include "services/complaints/sla_clock.h"
#include "common/errors.h"

namespace crm::complaints {
namespace {

const absl::TimeZone& Shanghai() {
  static const absl::TimeZone* zone = [] {
    auto* z = new absl::TimeZone;
    absl::LoadTimeZone("Asia/Shanghai", z);
    return z;
  }();
  return *zone;
}

// 2026-11-23 is a Monday.
absl::Time Local(int day, int hour, int minute = 0) {
  return absl::FromCivil(absl::CivilSecond(2026, 11, day, hour, minute, 0), Shanghai());
}

v1::BusinessCalendar OfficeHours() {
  v1::BusinessCalendar c;
  c.set_calendar_id("office");
  c.set_time_zone("Asia/Shanghai");
  for (int weekday = 1; weekday <= 5; ++weekday) {
    auto* h = c.add_working_hours();
    h->set_iso_weekday(weekday);
    h->set_start_minute(9 * 60);
    h->set_end_minute(18 * 60);
  }
  return c;
}

BusinessCalendar Office(std::initializer_list<int> november_holidays = {}) {
  v1::BusinessCalendar proto = OfficeHours();
  for (int day : november_holidays) {
    auto* d = proto.add_holidays();
    d->set_year(2026);
    d->set_month(11);
    d->set_day(day);
  }
  return *BusinessCalendar::Create(proto);
}

v1::Step MakeStep(v1::Step::Kind kind, absl::Time t, std::string note = "") {
  v1::Step s;
  s.set_kind(kind);
  s.mutable_time()->set_seconds(absl::ToUnixSeconds(t));
  s.set_note(std::move(note));
  return s;
}

void ExpectInvalidField(const absl::Status& s, const std::string& field) {
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_EQ(MetadataOf(s)["field"], field) << s;
}

google::protobuf::RepeatedPtrField<v1::Step> Timeline(std::initializer_list<v1::Step> steps) {
  return {steps.begin(), steps.end()};
}

absl::Time Due(const google::protobuf::Timestamp& t) { return absl::FromUnixSeconds(t.seconds()); }

TEST(BusinessCalendarTest, CountsOnlyWorkingHours) {
  const BusinessCalendar office = Office();
  // Friday 17:00 plus two hours: one on Friday, one on Monday morning.
  EXPECT_EQ(office.Add(Local(27, 17), absl::Hours(2)), Local(30, 10));
  // A night filing starts counting at the next opening.
  EXPECT_EQ(office.Add(Local(24, 22), absl::Hours(1)), Local(25, 10));
  // Saturday counts nothing; a full week counts 45 hours.
  EXPECT_EQ(office.Between(Local(28, 0), Local(29, 23)), absl::ZeroDuration());
  EXPECT_EQ(office.Between(Local(23, 0), Local(30, 0)), absl::Hours(45));
  // Ending exactly at closing time stays on that day.
  EXPECT_EQ(office.Add(Local(23, 9), absl::Hours(9)), Local(23, 18));
}

TEST(BusinessCalendarTest, SkipsHolidays) {
  const BusinessCalendar office = Office({26, 27});
  EXPECT_EQ(office.Add(Local(25, 17), absl::Hours(2)), Local(30, 10));
  EXPECT_EQ(office.Between(Local(25, 0), Local(28, 0)), absl::Hours(9));
}

TEST(BusinessCalendarTest, FollowsDaylightSavingTime) {
  v1::BusinessCalendar proto;
  proto.set_time_zone("Europe/Berlin");
  auto* h = proto.add_working_hours();
  h->set_iso_weekday(7);
  h->set_start_minute(0);
  h->set_end_minute(1440);
  const BusinessCalendar sundays = *BusinessCalendar::Create(proto);
  absl::TimeZone berlin;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Berlin", &berlin));
  // 2026-03-29: clocks go forward, the Sunday has 23 hours.
  EXPECT_EQ(sundays.Between(absl::FromCivil(absl::CivilDay(2026, 3, 29), berlin),
                            absl::FromCivil(absl::CivilDay(2026, 3, 30), berlin)),
            absl::Hours(23));
}

TEST(BusinessCalendarTest, RefusesUnusableCalendars) {
  v1::BusinessCalendar proto = OfficeHours();
  proto.set_time_zone("Mars/Olympus");
  ExpectInvalidField(BusinessCalendar::Create(proto).status(), "calendar.time_zone");
  proto = OfficeHours();
  proto.mutable_working_hours(0)->set_iso_weekday(8);
  ExpectInvalidField(BusinessCalendar::Create(proto).status(),
                     "calendar.working_hours[0].iso_weekday");
  proto = OfficeHours();
  auto* overlap = proto.add_working_hours();
  overlap->set_iso_weekday(1);
  overlap->set_start_minute(17 * 60);
  overlap->set_end_minute(19 * 60);
  ExpectInvalidField(BusinessCalendar::Create(proto).status(), "calendar.working_hours");
  proto.clear_working_hours();
  ExpectInvalidField(BusinessCalendar::Create(proto).status(), "calendar.working_hours");
}

TEST(SlaClockTest, PausedTimeDoesNotCountAndSurvivesRetargeting) {
  const BusinessCalendar office = Office();
  const auto timeline = Timeline({
      MakeStep(v1::Step::KIND_RECEIVED, Local(23, 9)),
      MakeStep(v1::Step::KIND_ACKNOWLEDGED, Local(23, 9, 30)),
      MakeStep(v1::Step::KIND_PAUSED, Local(23, 11), "waiting for the receipt"),
      MakeStep(v1::Step::KIND_RESUMED, Local(24, 11))});
  const absl::Time now = Local(24, 12);
  const SlaClocks clocks = ReplayClocks(office, timeline, now);
  v1::SlaStatus status;
  FillSlaStatus(office, clocks, {absl::Hours(1), absl::Hours(8)}, now, status);
  // Paused Monday 11-18 and Tuesday 9-11: nine business hours.
  EXPECT_EQ(status.paused_seconds(), 9 * 3600);
  EXPECT_EQ(Due(status.resolution_due()), Local(24, 17));
  EXPECT_TRUE(status.first_response_met());
  EXPECT_FALSE(status.has_resolution_met());
  // A higher target from a new severity keeps the pause: 2 + 14 hours.
  v1::SlaStatus retargeted;
  FillSlaStatus(office, clocks, {absl::Hours(1), absl::Hours(16)}, now, retargeted);
  EXPECT_EQ(Due(retargeted.resolution_due()), Local(25, 16));
  EXPECT_EQ(retargeted.paused_seconds(), 9 * 3600);
}

TEST(SlaClockTest, WhilePausedTheDueTimeMovesAndNothingBreaches) {
  const BusinessCalendar office = Office();
  const auto timeline = Timeline({
      MakeStep(v1::Step::KIND_RECEIVED, Local(23, 9)),
      MakeStep(v1::Step::KIND_PAUSED, Local(23, 10), "waiting for photos")});
  const absl::Time now = Local(25, 9);
  const SlaClocks clocks = ReplayClocks(office, timeline, now);
  v1::SlaStatus status;
  FillSlaStatus(office, clocks, {absl::Hours(2), absl::Hours(4)}, now, status);
  EXPECT_TRUE(status.paused());
  EXPECT_EQ(status.pause_reason(), "waiting for photos");
  EXPECT_EQ(Due(status.first_response_due()), Local(25, 10));  // one hour left
  EXPECT_FALSE(status.has_first_response_met());
  EXPECT_FALSE(status.at_risk());
  v1::EscalationRule breach;
  breach.set_clock(v1::SLA_CLOCK_RESOLUTION);
  breach.set_percent_elapsed(100);
  EXPECT_FALSE(EscalationTime(office, clocks, {absl::Hours(2), absl::Hours(4)}, breach, now));
}

TEST(SlaClockTest, APauseAfterTheBreachDoesNotUndoIt) {
  const BusinessCalendar office = Office();
  const auto timeline = Timeline({
      MakeStep(v1::Step::KIND_RECEIVED, Local(23, 9)),
      MakeStep(v1::Step::KIND_PAUSED, Local(23, 12)),
      MakeStep(v1::Step::KIND_RESUMED, Local(24, 12)),
      MakeStep(v1::Step::KIND_RESOLVED, Local(24, 13))});
  const SlaClocks clocks = ReplayClocks(office, timeline, Local(24, 14));
  v1::SlaStatus status;
  FillSlaStatus(office, clocks, {absl::Hours(1), absl::Hours(2)}, Local(24, 14), status);
  EXPECT_EQ(Due(status.resolution_due()), Local(23, 11));
  EXPECT_FALSE(status.resolution_met());
  EXPECT_FALSE(status.first_response_met());
}

TEST(SlaClockTest, AReopenedComplaintRunsAgainFromTheReopening) {
  const BusinessCalendar office = Office();
  const auto timeline = Timeline({
      MakeStep(v1::Step::KIND_RECEIVED, Local(23, 9)),
      MakeStep(v1::Step::KIND_RESOLVED, Local(23, 10)),
      MakeStep(v1::Step::KIND_REOPENED, Local(24, 9))});
  const absl::Time now = Local(24, 9, 30);
  const SlaClocks clocks = ReplayClocks(office, timeline, now);
  const SlaTargets targets{absl::Hours(1), absl::Hours(3)};
  v1::SlaStatus status;
  FillSlaStatus(office, clocks, targets, now, status);
  EXPECT_EQ(Due(status.resolution_due()), Local(24, 11));
  EXPECT_FALSE(status.has_resolution_time());
  EXPECT_EQ(clocks.round, 1);
  // A rule crossed before the reopening belongs to the first round.
  v1::EscalationRule early;
  early.set_clock(v1::SLA_CLOCK_RESOLUTION);
  early.set_percent_elapsed(20);
  EXPECT_FALSE(EscalationTime(office, clocks, targets, early, now));
  v1::EscalationRule breach = early;
  breach.set_percent_elapsed(100);
  EXPECT_EQ(EscalationTime(office, clocks, targets, breach, now), Local(24, 11));
}

}  // namespace
}  // namespace crm::complaints
