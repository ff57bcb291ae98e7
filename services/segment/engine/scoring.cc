#include "services/segment/engine/scoring.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "services/segment/engine/churn.h"
#include "services/segment/engine/value_classes.h"

namespace crm::segment {

const std::vector<PyramidTier>& DefaultPyramid() {
  static const auto* pyramid = new std::vector<PyramidTier>{
      {"vip", 0.01}, {"key", 0.05}, {"major", 0.20}, {"ordinary", 0.50}, {"small", 1.0}};
  return *pyramid;
}

std::vector<std::string> PyramidTiers(absl::Span<const double> values,
                                      absl::Span<const PyramidTier> pyramid) {
  const size_t n = values.size();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] > values[b]; });
  std::vector<std::string> tiers(n);
  size_t tie_start = 0;
  for (size_t i = 0; i < n; ++i) {
    if (i > 0 && values[order[i]] != values[order[i - 1]]) tie_start = i;
    if (values[order[i]] < 0) {
      tiers[order[i]] = "negative";
      continue;
    }
    // The share of customers ranked strictly above, plus this one.
    const double share = static_cast<double>(tie_start + 1) / static_cast<double>(n);
    for (const PyramidTier& tier : pyramid) {
      if (share <= tier.top_share + 1e-12) {
        tiers[order[i]] = tier.name;
        break;
      }
    }
    if (tiers[order[i]].empty()) tiers[order[i]] = pyramid.back().name;
  }
  return tiers;
}

std::string LifecycleStage(const CustomerHistory& h, absl::CivilDay as_of) {
  const int64_t tenure = as_of - h.first();
  if (tenure < 90 || h.days.size() < 2) return "exploration";
  const int64_t span = h.last() - h.first();
  const double usual_gap = static_cast<double>(span) / static_cast<double>(h.days.size() - 1);
  if (static_cast<double>(as_of - h.last()) > 2 * usual_gap + 30) return "decline";
  const TenureHalves t = SplitTenure(h, as_of);
  // A clear change: at least two purchase days and a quarter more or less,
  // or spend halved or doubled.
  const bool fewer = t.early_days - t.late_days >= 2 && t.late_days < 0.75 * t.early_days;
  const bool more = t.late_days - t.early_days >= 2 && t.late_days > 1.25 * t.early_days;
  if (fewer || t.late_spend < 0.5 * t.early_spend) return "decline";
  if (more || t.late_spend > 2 * t.early_spend) return "formation";
  return "stable";
}

ModelCustomer ToModelCustomer(const CustomerHistory& h, absl::CivilDay as_of, double unit_days) {
  ModelCustomer m;
  m.x = static_cast<double>(h.days.size() - 1);
  m.t_x = static_cast<double>(h.last() - h.first()) / unit_days;
  m.T = static_cast<double>(as_of - h.first()) / unit_days;
  if (h.days.size() > 1) {
    int64_t repeat_cents = 0;
    for (size_t i = 1; i < h.days.size(); ++i) repeat_cents += h.days[i].second;
    m.mean_repeat_amount = static_cast<double>(repeat_cents) / 100.0 / m.x;
  }
  return m;
}

std::vector<ScoredCustomer> ScoreCustomers(absl::Span<const CustomerHistory> histories,
                                           const ScoreOptions& options, std::string* fit_note) {
  const size_t n = histories.size();
  std::vector<ScoredCustomer> out(n);
  std::vector<RfmValues> values(n);
  std::vector<double> money(n);
  for (size_t i = 0; i < n; ++i) {
    const CustomerHistory& h = histories[i];
    values[i] = {options.as_of - h.last(), h.purchases, h.total_cents};
    money[i] = static_cast<double>(h.total_cents);
    out[i].history = &h;
    out[i].rfm = values[i];
    out[i].stage = LifecycleStage(h, options.as_of);
  }
  const std::vector<RfmScore> scores = ScoreRfm(values);
  const std::vector<std::string> tiers = PyramidTiers(money, options.pyramid);
  const std::vector<std::string> abc = AbcClasses(money);
  for (size_t i = 0; i < n; ++i) {
    out[i].score = scores[i];
    out[i].rfm_segment = RfmSegmentOf(scores[i], options.rules);
    out[i].tier = tiers[i];
    out[i].abc = abc[i];
  }
  if (!options.predict_clv) return out;
  std::vector<ModelCustomer> model(n);
  for (size_t i = 0; i < n; ++i) model[i] = ToModelCustomer(histories[i], options.as_of, 7.0);
  std::vector<ModelCustomer> sample;
  const size_t stride = (n + options.max_fit_customers - 1) / options.max_fit_customers;
  for (size_t i = 0; i < n; i += std::max<size_t>(stride, 1)) sample.push_back(model[i]);
  auto bgnbd = FitBgNbd(sample);
  auto gg = bgnbd.ok() ? FitGammaGamma(sample) : bgnbd.status();
  if (!bgnbd.ok() || !gg.ok()) {
    const absl::Status why = bgnbd.ok() ? gg.status() : bgnbd.status();
    if (fit_note != nullptr) *fit_note = std::string(why.message());
    return out;
  }
  const int steps = 12;
  const double discount = std::pow(1 + options.annual_discount,
                                   options.clv_horizon_weeks / 52.0 / steps) - 1;
  for (size_t i = 0; i < n; ++i) {
    out[i].clv = PredictedClv(bgnbd->params, gg->params, model[i], options.clv_horizon_weeks,
                              steps, options.margin, discount);
    out[i].probability_alive = ProbabilityAlive(bgnbd->params, model[i]);
  }
  std::vector<std::optional<double>> potential(n);
  for (size_t i = 0; i < n; ++i) potential[i] = out[i].clv;
  const std::vector<std::string> quadrants = ValueQuadrants(money, potential);
  for (size_t i = 0; i < n; ++i) out[i].quadrant = quadrants[i];
  return out;
}

}  // namespace crm::segment
