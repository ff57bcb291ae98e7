#ifndef CRM_SERVICES_IDENTIFY_MATCH_MODEL_H_
#define CRM_SERVICES_IDENTIFY_MATCH_MODEL_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "services/identify/match_record.h"

namespace crm::identify {

// A Fellegi-Sunter model: for every field and agreement level, m = P(level |
// same person) and u = P(level | different people), and lambda, the share of
// true matches among candidate pairs. A pair's match weight is the prior
// log2-odds plus the sum of log2(m/u) over its non-missing fields; its match
// probability follows from the weight.
struct MatchModel {
  double lambda = 0.01;
  double m[kMatchFieldCount][kMatchLevels] = {};
  double u[kMatchFieldCount][kMatchLevels] = {};
  // Probability thresholds: at or above upper a pair is a match, from lower
  // up to upper a possible match for review, below lower not a match.
  double upper = 0.95;
  double lower = 0.5;

  // Built-in starting values for a deployment with no estimated model.
  static MatchModel Default();

  double FieldWeight(MatchField field, int level) const;
  double Weight(const MatchPattern& pattern) const;
  double Probability(const MatchPattern& pattern) const;

  std::string Serialize() const;
  static absl::StatusOr<MatchModel> Parse(const std::string& text);
};

// A comparison pattern seen `count` times.
struct PatternCount {
  MatchPattern pattern;
  int64_t count = 0;
};

// u-probabilities from pairs of records drawn at random (nearly all of them
// different people). Levels never seen get a small floor.
void EstimateU(const std::vector<PatternCount>& random_pairs, MatchModel& model);

struct EmReport {
  int iterations = 0;
  double log_likelihood = 0;
  bool converged = false;
};

// Expectation-maximisation of lambda and the m-probabilities over the
// candidate pairs' patterns, with u held fixed (estimated from random pairs).
// Labelled pairs (reviewers' decisions) enter with their known class.
// With `fix_m`, only lambda is estimated.
EmReport EstimateM(const std::vector<PatternCount>& candidate_pairs,
                   const std::vector<std::pair<MatchPattern, bool>>& labelled, MatchModel& model,
                   int max_iterations = 200, bool fix_m = false);

}  // namespace crm::identify

#endif  // CRM_SERVICES_IDENTIFY_MATCH_MODEL_H_
