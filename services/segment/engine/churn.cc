#include "services/segment/engine/churn.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace crm::segment {
namespace {

std::string Money(double cents) { return absl::StrFormat("%.2f", cents / 100.0); }

}  // namespace

TenureHalves SplitTenure(const CustomerHistory& h, absl::CivilDay as_of) {
  const absl::CivilDay middle = h.first() + (as_of - h.first()) / 2;
  TenureHalves halves;
  for (const auto& [day, cents] : h.days) {
    if (day < middle) {
      ++halves.early_days;
      halves.early_spend += static_cast<double>(cents);
    } else {
      ++halves.late_days;
      halves.late_spend += static_cast<double>(cents);
    }
  }
  return halves;
}

std::vector<std::string> ChurnReasons(const CustomerHistory& h, absl::CivilDay as_of,
                                      int complaints_open) {
  std::vector<std::string> reasons;
  if (!h.days.empty() && as_of - h.first() >= 90 && h.days.size() >= 2) {
    const int64_t since_last = as_of - h.last();
    const double usual_gap =
        static_cast<double>(h.last() - h.first()) / static_cast<double>(h.days.size() - 1);
    if (static_cast<double>(since_last) > 2 * usual_gap + 30) {
      reasons.push_back(absl::StrFormat(
          "overdue: last purchase %d days ago, usual interval %.1f days", since_last, usual_gap));
    }
    const TenureHalves t = SplitTenure(h, as_of);
    if (t.early_days - t.late_days >= 2 && t.late_days < 0.75 * t.early_days) {
      reasons.push_back(absl::StrFormat(
          "falling frequency: %.0f purchase days in the earlier half of its tenure, %.0f in the "
          "recent half",
          t.early_days, t.late_days));
    }
    if (t.late_spend < 0.5 * t.early_spend) {
      reasons.push_back(absl::StrCat("falling spend: ", Money(t.early_spend),
                                     " in the earlier half of its tenure, ", Money(t.late_spend),
                                     " in the recent half"));
    }
  }
  if (complaints_open >= 2) {
    reasons.push_back(absl::StrCat("complaints: ", complaints_open, " open"));
  }
  return reasons;
}

}  // namespace crm::segment
