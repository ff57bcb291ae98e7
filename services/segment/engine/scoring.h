#ifndef CRM_SERVICES_SEGMENT_ENGINE_SCORING_H_
#define CRM_SERVICES_SEGMENT_ENGINE_SCORING_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "services/segment/engine/rfm.h"
#include "services/segment/engine/transactions.h"
#include "services/segment/engine/value_models.h"

namespace crm::segment {

// A tier of the customer pyramid: the customers whose value ranks within
// the top `top_share` (cumulative, from the best), e.g. vip 0.01, key 0.05.
struct PyramidTier {
  std::string name;
  double top_share = 1.0;
};

// VIP 1 %, key the next 4 %, major 15 %, ordinary 30 %, small the rest;
// customers with negative value are "negative" whatever their rank.
const std::vector<PyramidTier>& DefaultPyramid();

// Tier of each value (same order): ranked from the highest, ties sharing
// the best rank of the tie.
std::vector<std::string> PyramidTiers(absl::Span<const double> values,
                                      absl::Span<const PyramidTier> pyramid);

// Lifecycle stage from the trend of the customer's purchases over its
// tenure: exploration (first purchase under 90 days ago, or one purchase
// day), formation (the recent half of the tenure has clearly more purchase
// days, at least two and a quarter more, or twice the spend of the earlier
// half), decline (clearly fewer, half the spend, or overdue by more than
// twice its usual interval plus 30 days), stable otherwise.
std::string LifecycleStage(const CustomerHistory& history, absl::CivilDay as_of);

// The model inputs of one history in units of `unit_days` (7: weeks),
// observed until `as_of`.
ModelCustomer ToModelCustomer(const CustomerHistory& history, absl::CivilDay as_of,
                              double unit_days);

// One scored customer.
struct ScoredCustomer {
  const CustomerHistory* history = nullptr;
  RfmValues rfm;
  RfmScore score;
  std::string rfm_segment, tier, stage;
  std::string abc;            // "A", "B" or "C" (value_classes.h)
  std::string quadrant;       // current vs potential value; "" without a CLV
  std::optional<double> clv;  // unset when the value models could not be fitted
  std::optional<double> probability_alive;
};

struct ScoreOptions {
  absl::CivilDay as_of;
  std::vector<RfmSegmentRule> rules = DefaultRfmSegmentRules();
  std::vector<PyramidTier> pyramid = DefaultPyramid();
  bool predict_clv = true;
  double clv_horizon_weeks = 52;
  double margin = 1.0;              // share of spend that is profit
  double annual_discount = 0.10;
  // The models are fitted on at most this many customers, an even stride
  // through the input (deterministic); a sample this size pins the four
  // BG/NBD parameters to well under 1 % while the fit on a million takes ten
  // times as long.
  size_t max_fit_customers = 200000;
};

// Scores every customer; fits BG/NBD and Gamma-Gamma on the same
// histories for the predicted CLV when asked (`fit_note` says why not when
// they could not be fitted).
std::vector<ScoredCustomer> ScoreCustomers(absl::Span<const CustomerHistory> histories,
                                           const ScoreOptions& options, std::string* fit_note);

}  // namespace crm::segment

#endif  // CRM_SERVICES_SEGMENT_ENGINE_SCORING_H_
