#include "services/segment/engine/rfm.h"

#include <algorithm>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "common/errors.h"

namespace crm::segment {
namespace {

// Scores by `key`, larger keys better.
template <typename Key>
void Score(absl::Span<const RfmValues> values, Key key, int RfmScore::*field,
           std::vector<RfmScore>& out) {
  const size_t n = values.size();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return key(values[a]) < key(values[b]); });
  size_t tie_start = 0;
  for (size_t i = 0; i < n; ++i) {
    if (i > 0 && key(values[order[i]]) != key(values[order[i - 1]])) tie_start = i;
    out[order[i]].*field = 1 + static_cast<int>(5 * tie_start / n);
  }
}

}  // namespace

std::vector<RfmScore> ScoreRfm(absl::Span<const RfmValues> values) {
  std::vector<RfmScore> scores(values.size());
  Score(values, [](const RfmValues& v) { return -v.recency_days; }, &RfmScore::r, scores);
  Score(values, [](const RfmValues& v) { return v.frequency; }, &RfmScore::f, scores);
  Score(values, [](const RfmValues& v) { return v.monetary_cents; }, &RfmScore::m, scores);
  return scores;
}

const std::vector<RfmSegmentRule>& DefaultRfmSegmentRules() {
  static const auto* rules = new std::vector<RfmSegmentRule>{
      {"champions", 5, 5, 4, 5},
      {"loyal", 3, 4, 4, 5},
      {"potential_loyalist", 4, 5, 2, 3},
      {"new", 5, 5, 1, 1},
      {"promising", 4, 4, 1, 1},
      {"need_attention", 3, 3, 3, 3},
      {"about_to_sleep", 3, 3, 1, 2},
      {"cannot_lose", 1, 2, 5, 5},
      {"at_risk", 1, 2, 3, 4},
      {"lost", 1, 1, 1, 1},
      {"hibernating", 1, 2, 1, 2},
  };
  return *rules;
}

absl::Status ValidateRfmSegmentRules(absl::Span<const RfmSegmentRule> rules) {
  for (size_t i = 0; i < rules.size(); ++i) {
    const RfmSegmentRule& r = rules[i];
    const std::string field = absl::StrCat("rules[", i, "]");
    if (r.segment.empty()) return InvalidArgument(field + ".segment", "is required");
    for (auto [lo, hi] : {std::pair{r.r_min, r.r_max}, std::pair{r.f_min, r.f_max},
                          std::pair{r.m_min, r.m_max}}) {
      if (lo < 1 || hi > 5 || lo > hi) {
        return InvalidArgument(field, "score ranges must lie within 1-5, min <= max");
      }
    }
  }
  for (int r = 1; r <= 5; ++r) {
    for (int f = 1; f <= 5; ++f) {
      for (int m = 1; m <= 5; ++m) {
        if (RfmSegmentOf({r, f, m}, rules).empty()) {
          return InvalidArgument("rules", absl::StrCat("no rule covers R", r, " F", f, " M", m));
        }
      }
    }
  }
  return absl::OkStatus();
}

const std::string& RfmSegmentOf(const RfmScore& s, absl::Span<const RfmSegmentRule> rules) {
  static const std::string* none = new std::string;
  for (const RfmSegmentRule& rule : rules) {
    if (s.r >= rule.r_min && s.r <= rule.r_max && s.f >= rule.f_min && s.f <= rule.f_max &&
        s.m >= rule.m_min && s.m <= rule.m_max) {
      return rule.segment;
    }
  }
  return *none;
}

}  // namespace crm::segment
