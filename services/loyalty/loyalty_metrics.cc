#include "services/loyalty/loyalty_metrics.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "common/sql_util.h"

namespace crm::loyalty {
namespace {

constexpr double kSecondsPerDay = 86400.0;

double Days(absl::Duration d) { return absl::ToDoubleSeconds(d) / kSecondsPerDay; }

// Splits each line's share of the net spend by category.
void AddCategorySpend(const v1::Purchase& p, std::map<std::string, int64_t>& spend) {
  int64_t lines = 0;
  for (const v1::PurchaseLine& line : p.lines()) lines += line.amount_minor();
  if (lines == 0) return;
  const int64_t net = NetSpend(p);
  for (const v1::PurchaseLine& line : p.lines()) {
    spend[line.category()] +=
        static_cast<int64_t>(static_cast<__int128>(line.amount_minor()) * net / lines);
  }
}

}  // namespace

int64_t NetSpend(const v1::Purchase& p) {
  return std::max<int64_t>(0, p.total_minor() - p.discount_minor() - p.returned_minor());
}

v1::LoyaltyMetrics ComputeLoyaltyMetrics(const MemberHistory& history, absl::Time now) {
  v1::LoyaltyMetrics m;
  m.set_member_id(history.member.member_id());
  ToProtoTimestamp(now, m.mutable_as_of());
  m.set_tenure_days(history.member.tenure_days());
  const auto& purchases = history.purchases;
  const int n = static_cast<int>(purchases.size());
  m.set_purchase_count(n);
  m.set_repeat_purchase_count(std::max(0, n - 1));

  std::map<std::string, int64_t> by_category;
  int64_t total = 0;
  for (const v1::Purchase& p : purchases) {
    const absl::Time at = FromProtoTimestamp(p.purchase_time());
    const int64_t net = NetSpend(p);
    total += net;
    if (at > now - absl::Hours(24 * 90)) {
      m.set_spend_last_90_days_minor(m.spend_last_90_days_minor() + net);
    } else if (at > now - absl::Hours(24 * 180)) {
      m.set_spend_previous_90_days_minor(m.spend_previous_90_days_minor() + net);
    }
    AddCategorySpend(p, by_category);
  }
  if (m.spend_previous_90_days_minor() > 0) {
    m.set_spend_trend_percent(100.0 *
                              static_cast<double>(m.spend_last_90_days_minor() -
                                                  m.spend_previous_90_days_minor()) /
                              static_cast<double>(m.spend_previous_90_days_minor()));
  }
  std::vector<std::pair<std::string, int64_t>> shares(by_category.begin(), by_category.end());
  std::stable_sort(shares.begin(), shares.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& [category, spend] : shares) {
    v1::CategoryShare* share = m.add_category_shares();
    share->set_category(category);
    share->set_spend_minor(spend);
    share->set_share(total > 0 ? static_cast<double>(spend) / static_cast<double>(total) : 0);
  }

  m.set_points_earned(history.member.lifetime_earned());
  m.set_points_burned(history.points_burned);
  if (m.points_earned() > 0) {
    m.set_burn_ratio(static_cast<double>(m.points_burned()) /
                     static_cast<double>(m.points_earned()));
  }
  if (n == 0) return m;

  const absl::Time last = FromProtoTimestamp(purchases.back().purchase_time());
  *m.mutable_last_purchase_time() = purchases.back().purchase_time();
  const double since_last = std::max(0.0, Days(now - last));
  m.set_days_since_last_purchase(since_last);
  if (n < 2) return m;
  double sum = 0;
  for (int i = 1; i < n; ++i) {
    sum += Days(FromProtoTimestamp(purchases[i].purchase_time()) -
                FromProtoTimestamp(purchases[i - 1].purchase_time()));
  }
  const double mean = sum / (n - 1);
  m.set_average_interval_days(mean);
  ToProtoTimestamp(last + absl::Seconds(mean * kSecondsPerDay),
                   m.mutable_expected_next_purchase());
  if (n == 2) {
    m.set_churn_risk(mean > 0 && since_last > 2 * mean);
    return m;
  }
  double squares = 0;
  for (int i = 1; i < n; ++i) {
    const double d = Days(FromProtoTimestamp(purchases[i].purchase_time()) -
                          FromProtoTimestamp(purchases[i - 1].purchase_time())) -
                     mean;
    squares += d * d;
  }
  const double stddev = std::sqrt(squares / (n - 1));
  if (mean > 0) m.set_interval_variation(stddev / mean);
  m.set_churn_risk(mean > 0 && since_last > mean + 2 * stddev && since_last > 1.5 * mean);
  return m;
}

}  // namespace crm::loyalty
