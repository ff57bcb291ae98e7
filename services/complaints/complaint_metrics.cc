#include "services/complaints/complaint_metrics.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "absl/container/flat_hash_map.h"

namespace crm::complaints {
namespace {

std::string GroupOf(const ComplaintFacts& f, v1::MetricsGrouping grouping) {
  switch (grouping) {
    case v1::METRICS_GROUPING_CATEGORY: return f.category;
    case v1::METRICS_GROUPING_CHANNEL: return v1::Channel_Name(f.channel);
    case v1::METRICS_GROUPING_TEAM: return f.team;
    case v1::METRICS_GROUPING_TIER: return f.tier;
    default: return "";
  }
}

// Nearest-rank percentile of sorted values.
double Percentile(const std::vector<double>& sorted, double p) {
  const size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::max<size_t>(rank, 1) - 1];
}

v1::Distribution Distribute(std::vector<double> values) {
  v1::Distribution d;
  d.set_count(static_cast<int64_t>(values.size()));
  if (values.empty()) return d;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  d.set_median(n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2);
  d.set_p90(Percentile(values, 0.9));
  return d;
}

double Share(int64_t part, int64_t whole) {
  return whole == 0 ? 0 : static_cast<double>(part) / static_cast<double>(whole);
}

v1::ComplaintMetrics Measure(const std::string& group,
                             const std::vector<const ComplaintFacts*>& facts,
                             int64_t rate_denominator, int top_root_causes) {
  v1::ComplaintMetrics m;
  m.set_group(group);
  m.set_complaints(static_cast<int64_t>(facts.size()));
  if (rate_denominator > 0) {
    m.set_complaints_per_thousand(1000.0 * static_cast<double>(facts.size()) /
                                  static_cast<double>(rate_denominator));
  }
  std::vector<double> first_response, resolution;
  int64_t fr_decided = 0, fr_met = 0, res_decided = 0, res_met = 0, resolved = 0, fcr = 0,
          reopened = 0, ever_resolved = 0, answers = 0, satisfaction_sum = 0;
  int64_t scores[5] = {};
  absl::flat_hash_map<std::string, int> per_customer;
  std::map<std::string, int64_t> causes;
  for (const ComplaintFacts* f : facts) {
    if (f->first_response_at) {
      first_response.push_back(absl::ToDoubleSeconds(*f->first_response_at - f->created));
    }
    if (f->resolved_at) {
      resolution.push_back(absl::ToDoubleSeconds(*f->resolved_at - f->created));
      ++resolved;
      fcr += f->first_contact && f->reopen_count == 0;
    }
    if (f->first_response_met) {
      ++fr_decided;
      fr_met += *f->first_response_met;
    }
    if (f->resolution_met) {
      ++res_decided;
      res_met += *f->resolution_met;
    }
    ever_resolved += f->resolved_at || f->reopen_count > 0;
    reopened += f->reopen_count > 0;
    if (f->satisfaction >= 1 && f->satisfaction <= 5) {
      ++answers;
      satisfaction_sum += f->satisfaction;
      ++scores[f->satisfaction - 1];
    }
    if (!f->customer_id.empty()) ++per_customer[f->customer_id];
    if (!f->root_cause.empty()) ++causes[f->root_cause];
  }
  *m.mutable_first_response_seconds() = Distribute(std::move(first_response));
  *m.mutable_resolution_seconds() = Distribute(std::move(resolution));
  m.set_first_response_attainment(Share(fr_met, fr_decided));
  m.set_resolution_attainment(Share(res_met, res_decided));
  m.set_first_contact_resolution(Share(fcr, resolved));
  m.set_satisfaction_mean(answers == 0 ? 0
                                       : static_cast<double>(satisfaction_sum) /
                                             static_cast<double>(answers));
  for (int64_t count : scores) m.add_satisfaction_counts(count);
  m.set_reopen_rate(Share(reopened, ever_resolved));
  int64_t repeat = 0;
  for (const auto& [customer, count] : per_customer) repeat += count > 1;
  m.set_repeat_complainants(repeat);
  std::vector<std::pair<std::string, int64_t>> ranked(causes.begin(), causes.end());
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  for (size_t i = 0; i < ranked.size() && static_cast<int>(i) < top_root_causes; ++i) {
    auto* cause = m.add_top_root_causes();
    cause->set_root_cause(ranked[i].first);
    cause->set_complaints(ranked[i].second);
  }
  return m;
}

}  // namespace

std::vector<v1::ComplaintMetrics> ComputeMetrics(absl::Span<const ComplaintFacts> facts,
                                                 v1::MetricsGrouping grouping,
                                                 int64_t rate_denominator, int top_root_causes) {
  std::map<std::string, std::vector<const ComplaintFacts*>> groups;
  if (grouping == v1::METRICS_GROUPING_UNSPECIFIED) groups[""];
  for (const ComplaintFacts& f : facts) groups[GroupOf(f, grouping)].push_back(&f);
  std::vector<v1::ComplaintMetrics> out;
  for (const auto& [group, members] : groups) {
    out.push_back(Measure(group, members, rate_denominator, top_root_causes));
  }
  return out;
}

}  // namespace crm::complaints
