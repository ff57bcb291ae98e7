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

bool IsExactOnly(int f) {
  return f == kRegion || f == kNationalId || f == kPhone || f == kEmail;
}

void Normalize(double (&p)[kMatchLevels]) {
  double sum = 0;
  for (int l = 1; l < kMatchLevels; ++l) sum += std::max(p[l], kFloor);
  for (int l = 1; l < kMatchLevels; ++l) p[l] = std::max(p[l], kFloor) / sum;
}

}  // namespace

MatchModel MatchModel::Default() {
  MatchModel model;
  model.lambda = 0.05;
  for (int f = 0; f < kMatchFieldCount; ++f) {
    using Levels = std::array<double, kMatchLevels>;
    Levels m = {0, 0.05, 0.05, 0.1, 0.8}, u = {0, 0.9, 0.07, 0.02, 0.01};
    if (IsExactOnly(f)) {
      const double u_exact = f == kRegion ? 0.2 : 1e-6;
      m = {0, 0.1, 0, 0, 0.9};
      u = {0, 1 - u_exact, 0, 0, u_exact};
    }
    std::copy(m.begin(), m.end(), model.m[f]);
    std::copy(u.begin(), u.end(), model.u[f]);
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
                   int max_iterations) {
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
    double change = std::abs(model.lambda - matches / total);
    model.lambda = std::clamp(matches / total, 1e-6, 1 - 1e-6);
    for (int f = 0; f < kMatchFieldCount; ++f) {
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
