#ifndef CRM_SERVICES_SEGMENT_ENGINE_RFM_H_
#define CRM_SERVICES_SEGMENT_ENGINE_RFM_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"

namespace crm::segment {

// A customer's recency (days since the last purchase), frequency
// (purchases) and monetary value (total spend, cents) over the window.
struct RfmValues {
  int64_t recency_days = 0;
  int64_t frequency = 0;
  int64_t monetary_cents = 0;
};

struct RfmScore {
  int r = 0, f = 0, m = 0;
};

// Quintile scores 1-5, 5 the best (most recent, most frequent, highest
// spend). Equal values always share a score: a customer's score is
// 1 + floor(5 * (rank - 1) / n), where rank is the 1-based rank of its value
// from worst to best and tied values all take the lowest rank of the tie
// (pandas' rank(method="min")). So a quintile can hold more or fewer than
// n / 5 customers when values tie across its edge, and the result does not
// depend on the order of the input.
std::vector<RfmScore> ScoreRfm(absl::Span<const RfmValues> values);

// A named RFM segment: the first rule, in order, whose score ranges contain
// the customer's scores names it.
struct RfmSegmentRule {
  std::string segment;
  int r_min = 1, r_max = 5, f_min = 1, f_max = 5, m_min = 1, m_max = 5;
};

// The eleven segments of the usual R x F grid (champions, loyal, potential
// loyalist, new, promising, need attention, about to sleep, at risk, cannot
// lose, hibernating, lost); monetary breaks no tie here.
const std::vector<RfmSegmentRule>& DefaultRfmSegmentRules();

// INVALID_ARGUMENT naming the rule when a range is outside 1-5 or empty,
// or when the rules leave some R-F-M cell without a segment.
absl::Status ValidateRfmSegmentRules(absl::Span<const RfmSegmentRule> rules);

const std::string& RfmSegmentOf(const RfmScore& score, absl::Span<const RfmSegmentRule> rules);

}  // namespace crm::segment

#endif  // CRM_SERVICES_SEGMENT_ENGINE_RFM_H_
