#include "services/identify/match_model.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace crm::identify {
namespace {

constexpr double kFloor = 1e-9;

void Normalize(double (&p)[kMatchLevels]) {
  double sum = 0;
  for (int l = 1; l < kMatchLevels; ++l) sum += std::max(p[l], kFloor);
  for (int l = 1; l < kMatchLevels; ++l) p[l] = std::max(p[l], kFloor) / sum;
}

}  // namespace

MatchModel MatchModel::Default() {
  // Conservative starting values: address fields are correlated (suburb,
  // postcode and state agree together), so they weigh little, while a
  // different birth date or street counts strongly against a match.
  using Levels = std::array<double, kMatchLevels>;
  struct Field {
    Levels m, u;
  };
  static const Field kFields[kMatchFieldCount] = {
      {{0, .03, .05, .10, .82}, {0, .85, .08, .04, .03}},          // given_name
      {{0, .03, .05, .10, .82}, {0, .90, .05, .04, .01}},          // family_name
      {{0, .005, .03, .10, .865}, {0, .97, .02, .009, .001}},      // birth_date
      {{0, .05, 0, .05, .90}, {0, .95, 0, .04, .01}},              // street_number
      {{0, .02, .05, .10, .83}, {0, .90, .05, .03, .02}},          // street
      {{0, .10, .05, .10, .75}, {0, .85, .05, .05, .05}},          // address_line2
      {{0, .05, .05, .10, .80}, {0, .60, .10, .10, .20}},          // locality
      {{0, .05, 0, .05, .90}, {0, .70, 0, .10, .20}},              // postcode
      {{0, .10, 0, 0, .90}, {0, .70, 0, 0, .30}},                  // region
      {{0, .10, 0, 0, .90}, {0, 1 - 1e-6, 0, 0, 1e-6}},            // national_id
      {{0, .10, 0, 0, .90}, {0, 1 - 1e-6, 0, 0, 1e-6}},            // phone
      {{0, .10, 0, 0, .90}, {0, 1 - 1e-6, 0, 0, 1e-6}},            // email
  };
  MatchModel model;
  model.lambda = 0.05;
  for (int f = 0; f < kMatchFieldCount; ++f) {
    std::copy(kFields[f].m.begin(), kFields[f].m.end(), model.m[f]);
    std::copy(kFields[f].u.begin(), kFields[f].u.end(), model.u[f]);
    Normalize(model.m[f]);
    Normalize(model.u[f]);
  }
  return model;
}

double MatchModel::FieldWeight(MatchField field, int level) const {
  if (level == 0) return 0;
  return std::log2(std::max(m[field][level], kFloor) / std::max(u[field][level], kFloor));
}

double MatchModel::Weight(const MatchPattern& pattern) const {
  double weight = std::log2(lambda / (1 - lambda));
  for (int f = 0; f < kMatchFieldCount; ++f) {
    weight += FieldWeight(static_cast<MatchField>(f), pattern[f]);
  }
  return weight;
}

double MatchModel::Probability(const MatchPattern& pattern) const {
  return 1.0 / (1.0 + std::exp2(-Weight(pattern)));
}

std::string MatchModel::Serialize() const {
  std::string out = absl::StrFormat("lambda %.17g upper %.17g lower %.17g\n", lambda, upper, lower);
  for (int f = 0; f < kMatchFieldCount; ++f) {
    absl::StrAppend(&out, MatchFieldName(static_cast<MatchField>(f)));
    for (int l = 1; l < kMatchLevels; ++l) absl::StrAppendFormat(&out, " %.17g", m[f][l]);
    for (int l = 1; l < kMatchLevels; ++l) absl::StrAppendFormat(&out, " %.17g", u[f][l]);
    out += "\n";
  }
  return out;
}

absl::StatusOr<MatchModel> MatchModel::Parse(const std::string& text) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n', absl::SkipEmpty());
  if (lines.size() != 1 + kMatchFieldCount) return absl::DataLossError("match model: wrong shape");
  MatchModel model;
  std::vector<std::string> head = absl::StrSplit(lines[0], ' ');
  if (head.size() != 6 || !absl::SimpleAtod(head[1], &model.lambda) ||
      !absl::SimpleAtod(head[3], &model.upper) || !absl::SimpleAtod(head[5], &model.lower)) {
    return absl::DataLossError("match model: bad header");
  }
  for (int f = 0; f < kMatchFieldCount; ++f) {
    std::vector<std::string> parts = absl::StrSplit(lines[1 + f], ' ');
    if (parts.size() != 1 + 2 * (kMatchLevels - 1) ||
        parts[0] != MatchFieldName(static_cast<MatchField>(f))) {
      return absl::DataLossError("match model: bad field line");
    }
    for (int l = 1; l < kMatchLevels; ++l) {
      if (!absl::SimpleAtod(parts[l], &model.m[f][l]) ||
          !absl::SimpleAtod(parts[kMatchLevels - 1 + l], &model.u[f][l])) {
        return absl::DataLossError("match model: bad probability");
      }
    }
  }
  return model;
}

void EstimateU(const std::vector<PatternCount>& random_pairs, MatchModel& model) {
  for (int f = 0; f < kMatchFieldCount; ++f) {
    double counts[kMatchLevels] = {};
    double total = 0;
    for (const PatternCount& pc : random_pairs) {
      if (pc.pattern[f] == 0) continue;
      counts[pc.pattern[f]] += static_cast<double>(pc.count);
      total += static_cast<double>(pc.count);
    }
    if (total == 0) continue;  // keep the default
    for (int l = 1; l < kMatchLevels; ++l) model.u[f][l] = (counts[l] + 0.1) / (total + 0.4);
    Normalize(model.u[f]);
  }
}

EmReport EstimateM(const std::vector<PatternCount>& candidate_pairs,
                   const std::vector<std::pair<MatchPattern, bool>>& labelled, MatchModel& model,
                   int max_iterations, bool fix_m) {
  EmReport report;
  auto likelihoods = [&](const MatchPattern& p, double& match, double& non_match) {
    match = model.lambda;
    non_match = 1 - model.lambda;
    for (int f = 0; f < kMatchFieldCount; ++f) {
      if (p[f] == 0) continue;
      match *= std::max(model.m[f][p[f]], kFloor);
      non_match *= std::max(model.u[f][p[f]], kFloor);
    }
  };
  for (report.iterations = 1; report.iterations <= max_iterations; ++report.iterations) {
    double m_sum[kMatchFieldCount][kMatchLevels] = {};
    double matches = 0, total = 0;
    report.log_likelihood = 0;
    auto accumulate = [&](const MatchPattern& p, double weight, double g) {
      matches += weight * g;
      total += weight;
      for (int f = 0; f < kMatchFieldCount; ++f) m_sum[f][p[f]] += weight * g;
    };
    for (const PatternCount& pc : candidate_pairs) {
      double a, b;
      likelihoods(pc.pattern, a, b);
      report.log_likelihood += static_cast<double>(pc.count) * std::log(a + b);
      accumulate(pc.pattern, static_cast<double>(pc.count), a / (a + b));
    }
    for (const auto& [pattern, same] : labelled) accumulate(pattern, 1.0, same ? 1.0 : 0.0);
    if (total == 0 || matches == 0) break;
    const double lambda = std::clamp(matches / total, 1e-6, 1 - 1e-6);
    double change = std::abs(model.lambda - lambda);
    model.lambda = lambda;
    for (int f = 0; f < kMatchFieldCount && !fix_m; ++f) {
      double observed = 0;
      for (int l = 1; l < kMatchLevels; ++l) observed += m_sum[f][l];
      if (observed == 0) continue;
      for (int l = 1; l < kMatchLevels; ++l) {
        const double next = m_sum[f][l] / observed;
        change = std::max(change, std::abs(next - model.m[f][l]));
        model.m[f][l] = next;
      }
      Normalize(model.m[f]);
    }
    if (change < 1e-7) {
      report.converged = true;
      break;
    }
  }
  report.iterations = std::min(report.iterations, max_iterations);
  return report;
}

}  // namespace crm::identify
