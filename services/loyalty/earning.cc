#include "services/loyalty/earning.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/sql_util.h"
#include "common/text.h"
#include "services/loyalty/levels.h"

namespace crm::loyalty {
namespace {

uint32_t RateOf(const v1::EarningRules& rules, const v1::PurchaseLine& line) {
  for (const v1::SkuRate& r : rules.sku_rates()) {
    if (r.sku() == line.sku()) return r.points_per_currency_unit();
  }
  for (const v1::CategoryRate& r : rules.category_rates()) {
    if (!line.category().empty() && r.category() == line.category()) {
      return r.points_per_currency_unit();
    }
  }
  return rules.points_per_currency_unit();
}

uint32_t MultiplierOf(const v1::EarningRules& rules, const v1::PurchaseLine& line,
                      absl::Time time) {
  uint32_t best = 100;
  for (const v1::Campaign& c : rules.campaigns()) {
    if (time < FromProtoTimestamp(c.start_time()) || time >= FromProtoTimestamp(c.end_time())) {
      continue;
    }
    const bool covered =
        c.categories().empty() ||
        std::find(c.categories().begin(), c.categories().end(), line.category()) !=
            c.categories().end();
    if (covered) best = std::max(best, c.multiplier_percent());
  }
  return best;
}

int64_t Pow10(uint32_t digits) {
  int64_t p = 1;
  for (uint32_t i = 0; i < digits; ++i) p *= 10;
  return p;
}

}  // namespace

int64_t LinePoints(const v1::EarningRules& rules, const v1::PurchaseLine& line,
                   uint32_t currency_exponent, absl::Time time, uint32_t level_percent) {
  // amount (<= 10^12) x rate (<= 10^4) x two multipliers (<= 10^3 each)
  // overflows 64 bits; the quotient (<= 10^18) does not.
  const __int128 numerator = static_cast<__int128>(line.amount_minor()) * RateOf(rules, line) *
                             MultiplierOf(rules, line, time) * level_percent;
  return static_cast<int64_t>(numerator /
                              (static_cast<__int128>(10000) * Pow10(currency_exponent)));
}

int64_t PurchasePoints(const v1::EarningRules& rules, const v1::Purchase& purchase,
                       uint32_t currency_exponent, int64_t earned_today,
                       uint32_t level_percent, int64_t discount_minor) {
  const absl::Time time = FromProtoTimestamp(purchase.purchase_time());
  int64_t points = 0, total = 0;
  for (const v1::PurchaseLine& line : purchase.lines()) {
    points += LinePoints(rules, line, currency_exponent, time, level_percent);
    total += line.amount_minor();
  }
  if (discount_minor > 0 && total > 0) {
    points = static_cast<int64_t>(static_cast<__int128>(points) *
                                  std::max<int64_t>(0, total - discount_minor) / total);
  }
  // Whatever the rules, a purchase earns at most 10^12 points, so balances
  // stay far inside 64 bits.
  points = std::min<int64_t>(points, kMaxPointsPerPurchase);
  if (rules.max_points_per_purchase() > 0) points = std::min(points, rules.max_points_per_purchase());
  if (rules.max_points_per_day() > 0) {
    points = std::min(points, std::max<int64_t>(0, rules.max_points_per_day() - earned_today));
  }
  return points;
}

absl::Time AddMonths(absl::Time t, int months) {
  const absl::CivilSecond at = absl::ToCivilSecond(t, absl::UTCTimeZone());
  const absl::CivilMonth month = absl::CivilMonth(at) + months;
  const absl::CivilDay last = absl::CivilDay(absl::CivilMonth(month + 1)) - 1;
  const int day = std::min(at.day(), last.day());
  const absl::CivilSecond moved(month.year(), month.month(), day, at.hour(), at.minute(),
                                at.second());
  return absl::FromCivil(moved, absl::UTCTimeZone()) + (t - absl::FromCivil(at, absl::UTCTimeZone()));
}

absl::Time ExpiryOf(const v1::ExpiryPolicy& policy, absl::Time earned) {
  const absl::CivilSecond at = absl::ToCivilSecond(earned, absl::UTCTimeZone());
  switch (policy.kind()) {
    case v1::ExpiryPolicy::KIND_MONTHS_AFTER_EARNING:
      return AddMonths(earned, policy.months());
    case v1::ExpiryPolicy::KIND_END_OF_YEAR:
      return absl::FromCivil(absl::CivilYear(at.year() + policy.years() + 1),
                             absl::UTCTimeZone());
    default:
      return absl::InfiniteFuture();
  }
}

absl::Status ValidateRules(v1::ProgramRules& rules, absl::string_view prefix) {
  auto field = [&](absl::string_view name) { return absl::StrCat(prefix, ".", name); };
  v1::EarningRules& e = *rules.mutable_earning();
  if (e.points_per_currency_unit() > 10000) {
    return InvalidArgument(field("earning.points_per_currency_unit"), "must be 0-10000");
  }
  for (int i = 0; i < e.category_rates_size(); ++i) {
    v1::CategoryRate& r = *e.mutable_category_rates(i);
    const std::string name = field(absl::StrCat("earning.category_rates[", i, "]"));
    if (absl::Status s = CheckText(name + ".category", *r.mutable_category(), 1, 100); !s.ok()) {
      return s;
    }
    if (r.points_per_currency_unit() > 10000) {
      return InvalidArgument(name + ".points_per_currency_unit", "must be 0-10000");
    }
  }
  for (int i = 0; i < e.sku_rates_size(); ++i) {
    v1::SkuRate& r = *e.mutable_sku_rates(i);
    const std::string name = field(absl::StrCat("earning.sku_rates[", i, "]"));
    if (absl::Status s = CheckText(name + ".sku", *r.mutable_sku(), 1, 100); !s.ok()) return s;
    if (r.points_per_currency_unit() > 10000) {
      return InvalidArgument(name + ".points_per_currency_unit", "must be 0-10000");
    }
  }
  for (int i = 0; i < e.campaigns_size(); ++i) {
    v1::Campaign& c = *e.mutable_campaigns(i);
    const std::string name = field(absl::StrCat("earning.campaigns[", i, "]"));
    if (absl::Status s = CheckText(name + ".name", *c.mutable_name(), 1, 100); !s.ok()) return s;
    if (!(FromProtoTimestamp(c.start_time()) < FromProtoTimestamp(c.end_time()))) {
      return InvalidArgument(name + ".end_time", "must be after start_time");
    }
    if (c.multiplier_percent() < 100 || c.multiplier_percent() > 1000) {
      return InvalidArgument(name + ".multiplier_percent", "must be 100-1000");
    }
  }
  for (auto [value, name] : {std::pair{e.max_points_per_purchase(), "max_points_per_purchase"},
                             std::pair{e.max_points_per_day(), "max_points_per_day"},
                             std::pair{e.enrollment_bonus(), "enrollment_bonus"},
                             std::pair{e.first_purchase_bonus(), "first_purchase_bonus"},
                             std::pair{e.birthday_bonus(), "birthday_bonus"}}) {
    if (value < 0 || value > 1'000'000'000) {
      return InvalidArgument(field(absl::StrCat("earning.", name)), "must be 0-1000000000");
    }
  }
  const v1::ExpiryPolicy& x = rules.expiry();
  if (!v1::ExpiryPolicy::Kind_IsValid(x.kind())) {
    return InvalidArgument(field("expiry.kind"), "is not a known expiry kind");
  }
  if (x.kind() == v1::ExpiryPolicy::KIND_MONTHS_AFTER_EARNING &&
      (x.months() < 1 || x.months() > 120)) {
    return InvalidArgument(field("expiry.months"), "must be 1-120");
  }
  if (x.kind() == v1::ExpiryPolicy::KIND_END_OF_YEAR && (x.years() < 0 || x.years() > 10)) {
    return InvalidArgument(field("expiry.years"), "must be 0-10");
  }
  if (!v1::ReturnPolicy_IsValid(rules.return_policy())) {
    return InvalidArgument(field("return_policy"), "is not a known return policy");
  }
  if (rules.pending_days() < 0 || rules.pending_days() > 365) {
    return InvalidArgument(field("pending_days"), "must be 0-365");
  }
  if (rules.has_levels()) return ValidateLevels(*rules.mutable_levels(), field("levels"));
  return absl::OkStatus();
}

}  // namespace crm::loyalty
