#ifndef CRM_SERVICES_IDENTIFY_LINKAGE_H_
#define CRM_SERVICES_IDENTIFY_LINKAGE_H_

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "services/identify/match_model.h"
#include "services/identify/match_record.h"

// Record linkage over a set of records held in memory: the batch side of
// identification (model estimation and deduplication).
namespace crm::identify {

using RecordPair = std::pair<uint32_t, uint32_t>;  // indexes, first < second

// Pairs sharing a blocking key, each once. Blocks larger than `max_block`
// are skipped: a key shared by that many records says little.
std::vector<RecordPair> BlockedPairs(const std::vector<MatchRecord>& records,
                                     size_t max_block = 300);

struct EstimationReport {
  int64_t records = 0;
  int64_t random_pairs = 0;
  int64_t candidate_pairs = 0;
  EmReport em;
};

// At most this many records are used to estimate a model: enough for a dozen
// probabilities per field, and estimation time stays flat beyond it.
inline constexpr size_t kEstimationSample = 200'000;

// A uniform random sample of at most `capacity` records from a stream of
// unknown length (reservoir sampling), so a large table never has to be held
// in memory to be sampled.
class RecordReservoir {
 public:
  RecordReservoir(size_t capacity, uint64_t seed) : capacity_(capacity), rng_(seed) {}
  void Add(MatchRecord record);
  size_t seen() const { return seen_; }
  std::vector<MatchRecord> Take() { return std::move(sample_); }

 private:
  size_t capacity_;
  size_t seen_ = 0;
  std::mt19937_64 rng_;
  std::vector<MatchRecord> sample_;
};

// Estimates a model from the records themselves, with no labels needed:
// u from random pairs, then lambda and m by EM over the blocked pairs (plus
// any labelled pairs from reviewers). Keeps `start`'s thresholds.
MatchModel EstimateModel(const std::vector<MatchRecord>& records,
                         const std::vector<std::pair<MatchPattern, bool>>& labelled,
                         const MatchModel& start, EstimationReport* report);

struct ScoredPair {
  uint32_t a = 0, b = 0;
  double probability = 0;
};

// Scores the pairs on `threads` threads; keeps those at or above `min_probability`.
std::vector<ScoredPair> ScorePairs(const std::vector<MatchRecord>& records,
                                   const std::vector<RecordPair>& pairs, const MatchModel& model,
                                   double min_probability, int threads);

struct Clustering {
  // Groups of two or more records judged to be one person.
  std::vector<std::vector<uint32_t>> clusters;
  // Pairs between lower and upper that no cluster covers: for review.
  std::vector<ScoredPair> possible;
};

// Joins records linked by pairs at or above model.upper, strongest first.
// Two groups are joined only when every cross pair scores at least
// model.lower and the group stays within `max_cluster` records, so one weak
// link cannot chain unrelated people together.
Clustering ClusterRecords(const std::vector<MatchRecord>& records,
                          std::vector<ScoredPair> scored, const MatchModel& model,
                          size_t max_cluster = 20);

}  // namespace crm::identify

#endif  // CRM_SERVICES_IDENTIFY_LINKAGE_H_
