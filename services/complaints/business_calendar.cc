#include "services/complaints/business_calendar.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/errors.h"

namespace crm::complaints {
namespace {

constexpr int kHorizonDays = 3660;
const absl::CivilDay kEpochDay(1970, 1, 1);

int IsoWeekday(absl::CivilDay day) {
  switch (absl::GetWeekday(day)) {
    case absl::Weekday::monday: return 1;
    case absl::Weekday::tuesday: return 2;
    case absl::Weekday::wednesday: return 3;
    case absl::Weekday::thursday: return 4;
    case absl::Weekday::friday: return 5;
    case absl::Weekday::saturday: return 6;
    case absl::Weekday::sunday: return 7;
  }
  return 0;
}

}  // namespace

absl::StatusOr<BusinessCalendar> BusinessCalendar::Create(const v1::BusinessCalendar& proto) {
  BusinessCalendar calendar;
  if (proto.time_zone().empty() || !absl::LoadTimeZone(proto.time_zone(), &calendar.zone_)) {
    return InvalidArgument("calendar.time_zone", "must be an IANA time zone such as Asia/Shanghai");
  }
  if (proto.working_hours_size() == 0 || proto.working_hours_size() > 100) {
    return InvalidArgument("calendar.working_hours", "needs 1-100 intervals");
  }
  for (int i = 0; i < proto.working_hours_size(); ++i) {
    const v1::WorkingHours& h = proto.working_hours(i);
    const std::string field = absl::StrCat("calendar.working_hours[", i, "]");
    if (h.iso_weekday() < 1 || h.iso_weekday() > 7) {
      return InvalidArgument(field + ".iso_weekday", "must be 1 (Monday) - 7 (Sunday)");
    }
    if (h.start_minute() < 0 || h.start_minute() >= h.end_minute() || h.end_minute() > 1440) {
      return InvalidArgument(field, "needs 0 <= start_minute < end_minute <= 1440");
    }
    calendar.minutes_by_weekday_[h.iso_weekday()].emplace_back(h.start_minute(), h.end_minute());
  }
  for (auto& day : calendar.minutes_by_weekday_) {
    std::sort(day.begin(), day.end());
    for (size_t i = 1; i < day.size(); ++i) {
      if (day[i].first < day[i - 1].second) {
        return InvalidArgument("calendar.working_hours", "intervals of one weekday overlap");
      }
    }
  }
  if (proto.holidays_size() > 1000) {
    return InvalidArgument("calendar.holidays", "at most 1000 days");
  }
  for (int i = 0; i < proto.holidays_size(); ++i) {
    const auto& d = proto.holidays(i);
    const absl::CivilDay day(d.year(), d.month(), d.day());
    if (day.year() != d.year() || day.month() != d.month() || day.day() != d.day() ||
        d.year() < 1970 || d.year() > 9999) {
      return InvalidArgument(absl::StrCat("calendar.holidays[", i, "]"), "is not a date");
    }
    calendar.holidays_.insert(day - kEpochDay);
  }
  return calendar;
}

std::vector<BusinessCalendar::Interval> BusinessCalendar::WorkingIntervals(
    absl::CivilDay day) const {
  std::vector<Interval> out;
  if (holidays_.contains(day - kEpochDay)) return out;
  for (const auto& [start, end] : minutes_by_weekday_[IsoWeekday(day)]) {
    const absl::CivilSecond midnight(day);
    out.emplace_back(absl::FromCivil(midnight + start * 60, zone_),
                     absl::FromCivil(midnight + end * 60, zone_));
  }
  return out;
}

absl::Time BusinessCalendar::Add(absl::Time from, absl::Duration work) const {
  if (work <= absl::ZeroDuration()) return from;
  absl::CivilDay day = absl::ToCivilDay(from, zone_);
  for (int i = 0; i < kHorizonDays; ++i, ++day) {
    for (const auto& [start, end] : WorkingIntervals(day)) {
      const absl::Time begin = std::max(start, from);
      if (begin >= end) continue;
      if (work <= end - begin) return begin + work;
      work -= end - begin;
    }
  }
  return absl::InfiniteFuture();
}

absl::Duration BusinessCalendar::Between(absl::Time from, absl::Time to) const {
  absl::Duration total;
  if (to <= from) return total;
  const absl::CivilDay first = absl::ToCivilDay(from, zone_);
  const absl::CivilDay last = std::min(absl::ToCivilDay(to, zone_), first + kHorizonDays);
  for (absl::CivilDay day = first; day <= last; ++day) {
    for (const auto& [start, end] : WorkingIntervals(day)) {
      const absl::Time begin = std::max(start, from), finish = std::min(end, to);
      if (begin < finish) total += finish - begin;
    }
  }
  return total;
}

}  // namespace crm::complaints
