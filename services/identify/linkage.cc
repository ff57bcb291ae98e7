#include "services/identify/linkage.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <thread>

#include "absl/container/flat_hash_map.h"

namespace crm::identify {
namespace {

struct PatternHash {
  size_t operator()(const MatchPattern& p) const {
    size_t h = 0;
    for (uint8_t v : p) h = h * 5 + v;
    return h;
  }
};

std::vector<PatternCount> CountPatterns(const std::vector<MatchRecord>& records,
                                        const std::vector<RecordPair>& pairs) {
  std::unordered_map<MatchPattern, int64_t, PatternHash> counts;
  for (const auto& [a, b] : pairs) ++counts[CompareRecords(records[a], records[b])];
  std::vector<PatternCount> out;
  out.reserve(counts.size());
  for (const auto& [pattern, count] : counts) out.push_back({pattern, count});
  return out;
}

// Blocked pairs per rule tag (a pair may appear under several rules).
std::map<std::string, std::vector<RecordPair>> PairsByRule(const std::vector<MatchRecord>& records,
                                                           size_t max_block) {
  absl::flat_hash_map<std::string, std::vector<uint32_t>> blocks;
  for (uint32_t i = 0; i < records.size(); ++i) {
    for (std::string& key : BlockingKeys(records[i])) blocks[std::move(key)].push_back(i);
  }
  std::map<std::string, std::vector<RecordPair>> by_rule;
  for (const auto& [key, members] : blocks) {
    if (members.size() < 2 || members.size() > max_block) continue;
    auto& pairs = by_rule[key.substr(0, key.find('|'))];
    for (size_t i = 0; i < members.size(); ++i) {
      for (size_t j = i + 1; j < members.size(); ++j) {
        pairs.emplace_back(std::min(members[i], members[j]), std::max(members[i], members[j]));
      }
    }
  }
  for (auto& [tag, pairs] : by_rule) {
    std::sort(pairs.begin(), pairs.end());
    pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  }
  return by_rule;
}

// Patterns with the rule's own fields blanked: blocking made them agree, so
// they say nothing about m.
std::vector<PatternCount> WithoutFields(std::vector<PatternCount> patterns,
                                        const std::vector<MatchField>& fields) {
  for (PatternCount& pc : patterns) {
    for (MatchField f : fields) pc.pattern[f] = 0;
  }
  return patterns;
}

}  // namespace

std::vector<RecordPair> BlockedPairs(const std::vector<MatchRecord>& records, size_t max_block) {
  absl::flat_hash_map<std::string, std::vector<uint32_t>> blocks;
  for (uint32_t i = 0; i < records.size(); ++i) {
    for (std::string& key : BlockingKeys(records[i])) blocks[std::move(key)].push_back(i);
  }
  std::vector<RecordPair> pairs;
  for (const auto& [key, members] : blocks) {
    if (members.size() < 2 || members.size() > max_block) continue;
    for (size_t i = 0; i < members.size(); ++i) {
      for (size_t j = i + 1; j < members.size(); ++j) {
        pairs.emplace_back(std::min(members[i], members[j]), std::max(members[i], members[j]));
      }
    }
  }
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  return pairs;
}

void RecordReservoir::Add(MatchRecord record) {
  ++seen_;
  if (sample_.size() < capacity_) {
    sample_.push_back(std::move(record));
    return;
  }
  const size_t slot = std::uniform_int_distribution<size_t>(0, seen_ - 1)(rng_);
  if (slot < capacity_) sample_[slot] = std::move(record);
}

MatchModel EstimateModel(const std::vector<MatchRecord>& all_records,
                         const std::vector<std::pair<MatchPattern, bool>>& labelled,
                         const MatchModel& start, EstimationReport* report) {
  std::vector<MatchRecord> sample;
  if (all_records.size() > kEstimationSample) {
    std::sample(all_records.begin(), all_records.end(), std::back_inserter(sample),
                kEstimationSample, std::mt19937_64(7));
  }
  const std::vector<MatchRecord>& records = sample.empty() ? all_records : sample;
  MatchModel model = start;
  EstimationReport local;
  EstimationReport& r = report ? *report : local;
  r.records = static_cast<int64_t>(records.size());
  if (records.size() < 2) return model;
  // Random pairs: almost all of them are different people.
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<uint32_t> pick(0, static_cast<uint32_t>(records.size() - 1));
  const size_t random_count = std::min<size_t>(1'000'000, records.size() * 50);
  std::vector<RecordPair> random_pairs;
  random_pairs.reserve(random_count);
  while (random_pairs.size() < random_count) {
    const uint32_t a = pick(rng), b = pick(rng);
    if (a != b) random_pairs.emplace_back(a, b);
  }
  EstimateU(CountPatterns(records, random_pairs), model);
  r.random_pairs = static_cast<int64_t>(random_pairs.size());
  // m per blocking rule, each estimated without the fields the rule fixes,
  // then averaged per field (as Splink does): EM over pairs that agree on
  // the blocked fields by construction would take every pair for a match.
  double m_sum[kMatchFieldCount][kMatchLevels] = {};
  int runs[kMatchFieldCount] = {};
  for (const auto& [tag, pairs] : PairsByRule(records, 300)) {
    if (pairs.size() < 20) continue;
    const auto rule = std::find_if(BlockingRules().begin(), BlockingRules().end(),
                                   [&](const BlockingRule& b) { return b.tag == tag; });
    if (rule == BlockingRules().end()) continue;
    MatchModel run = model;
    std::copy(&start.m[0][0], &start.m[0][0] + kMatchFieldCount * kMatchLevels, &run.m[0][0]);
    std::vector<std::pair<MatchPattern, bool>> run_labels = labelled;
    for (auto& [pattern, same] : run_labels) {
      for (MatchField f : rule->fields) pattern[f] = 0;
    }
    const EmReport em =
        EstimateM(WithoutFields(CountPatterns(records, pairs), rule->fields), run_labels, run);
    r.em.iterations = std::max(r.em.iterations, em.iterations);
    for (int f = 0; f < kMatchFieldCount; ++f) {
      if (std::find(rule->fields.begin(), rule->fields.end(), f) != rule->fields.end()) continue;
      ++runs[f];
      for (int l = 1; l < kMatchLevels; ++l) m_sum[f][l] += run.m[f][l];
    }
  }
  for (int f = 0; f < kMatchFieldCount; ++f) {
    if (runs[f] == 0) continue;
    for (int l = 1; l < kMatchLevels; ++l) model.m[f][l] = m_sum[f][l] / runs[f];
  }
  // Lambda over all candidate pairs, with m and u now fixed.
  const std::vector<RecordPair> candidates = BlockedPairs(records);
  r.candidate_pairs = static_cast<int64_t>(candidates.size());
  const EmReport final_em = EstimateM(CountPatterns(records, candidates), labelled, model, 200,
                                      /*fix_m=*/true);
  r.em.log_likelihood = final_em.log_likelihood;
  r.em.converged = final_em.converged;
  r.em.iterations = std::max(r.em.iterations, final_em.iterations);
  return model;
}

std::vector<ScoredPair> ScorePairs(const std::vector<MatchRecord>& records,
                                   const std::vector<RecordPair>& pairs, const MatchModel& model,
                                   double min_probability, int threads) {
  threads = std::max(1, threads);
  std::vector<std::vector<ScoredPair>> parts(threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (size_t i = t; i < pairs.size(); i += threads) {
        const auto& [a, b] = pairs[i];
        const double p = model.Probability(CompareRecords(records[a], records[b]));
        if (p >= min_probability) parts[t].push_back({a, b, p});
      }
    });
  }
  for (auto& w : workers) w.join();
  std::vector<ScoredPair> out;
  for (auto& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

Clustering ClusterRecords(const std::vector<MatchRecord>& records, std::vector<ScoredPair> scored,
                          const MatchModel& model, size_t max_cluster) {
  std::sort(scored.begin(), scored.end(), [](const ScoredPair& x, const ScoredPair& y) {
    return x.probability != y.probability ? x.probability > y.probability
                                          : std::tie(x.a, x.b) < std::tie(y.a, y.b);
  });
  std::map<uint32_t, std::vector<uint32_t>> groups;  // root -> members
  absl::flat_hash_map<uint32_t, uint32_t> root_of;
  auto root = [&](uint32_t i) {
    auto it = root_of.find(i);
    return it == root_of.end() ? i : it->second;
  };
  auto members = [&](uint32_t r) -> std::vector<uint32_t> {
    auto it = groups.find(r);
    return it == groups.end() ? std::vector<uint32_t>{r} : it->second;
  };
  Clustering out;
  for (const ScoredPair& pair : scored) {
    const uint32_t ra = root(pair.a), rb = root(pair.b);
    if (ra == rb) continue;
    if (pair.probability < model.upper) {
      out.possible.push_back(pair);
      continue;
    }
    std::vector<uint32_t> left = members(ra), right = members(rb);
    bool coherent = left.size() + right.size() <= max_cluster;
    for (size_t i = 0; coherent && i < left.size(); ++i) {
      for (size_t j = 0; coherent && j < right.size(); ++j) {
        coherent = model.Probability(CompareRecords(records[left[i]], records[right[j]])) >=
                   model.lower;
      }
    }
    if (!coherent) {
      out.possible.push_back(pair);
      continue;
    }
    const uint32_t keep = std::min(ra, rb), gone = std::max(ra, rb);
    std::vector<uint32_t>& merged = groups[keep];
    if (merged.empty()) merged.push_back(keep);
    for (uint32_t m : members(gone)) {
      merged.push_back(m);
      root_of[m] = keep;
    }
    for (uint32_t m : merged) root_of[m] = keep;
    groups.erase(gone);
  }
  for (auto& [r, group] : groups) {
    std::sort(group.begin(), group.end());
    out.clusters.push_back(std::move(group));
  }
  std::erase_if(out.possible, [&](const ScoredPair& p) { return root(p.a) == root(p.b); });
  return out;
}

}  // namespace crm::identify
