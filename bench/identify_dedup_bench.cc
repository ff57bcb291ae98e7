// crm-identify-dedup-bench: the batch deduplication algorithm on a
// FEBRL-format file (e.g. from crm-identify-datagen), in memory, on this
// machine's cores: model estimation, blocking, scoring, coherent
// clustering, and pairwise quality against the ground truth in rec_id.
//   crm-identify-dedup-bench --input=people.csv [--threads=2]
#include <sys/resource.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "services/identify/linkage.h"
#include "tools/linkage/febrl_csv.h"

ABSL_FLAG(std::string, input, "", "FEBRL-format CSV file");
ABSL_FLAG(int, threads, 2, "Scoring threads");

int main(int argc, char** argv) {
  using namespace crm;
  absl::SetProgramUsageMessage("crm-identify-dedup-bench --input=FILE.csv [--threads=2]");
  absl::ParseCommandLine(argc, argv);
  std::ifstream in(absl::GetFlag(FLAGS_input));
  if (!in) {
    std::cerr << "crm-identify-dedup-bench: --input must be a readable file\n";
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto febrl = linkage::ParseFebrl(text.str());
  if (!febrl.ok()) {
    std::cerr << febrl.status().message() << "\n";
    return 2;
  }
  std::vector<identify::MatchRecord> records;
  records.reserve(febrl->size());
  for (const auto& r : *febrl) records.push_back(linkage::ToMatchRecord(r));

  absl::Time t0 = absl::Now();
  identify::EstimationReport report;
  const identify::MatchModel model =
      identify::EstimateModel(records, {}, identify::MatchModel::Default(), &report);
  absl::Time t1 = absl::Now();
  const auto pairs = identify::BlockedPairs(records);
  absl::Time t2 = absl::Now();
  auto scored = identify::ScorePairs(records, pairs, model, model.lower, absl::GetFlag(FLAGS_threads));
  absl::Time t3 = absl::Now();
  const identify::Clustering clustering = identify::ClusterRecords(records, scored, model);
  absl::Time t4 = absl::Now();

  std::vector<std::string> cluster_of;
  for (const auto& r : records) cluster_of.push_back(r.customer_id);
  for (const auto& cluster : clustering.clusters) {
    for (uint32_t member : cluster) cluster_of[member] = records[cluster[0]].customer_id;
  }
  const auto q = linkage::EvaluatePairs(*febrl, cluster_of);
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::cout << absl::StrFormat(
      "records %d  candidate pairs %d  clusters %d  possible %d\n"
      "estimate %.1fs  block %.1fs  score %.1fs  cluster %.1fs  total %.1fs  peak RSS %d MiB\n"
      "precision %.4f  recall %.4f  F1 %.4f\n",
      records.size(), pairs.size(), clustering.clusters.size(), clustering.possible.size(),
      absl::ToDoubleSeconds(t1 - t0), absl::ToDoubleSeconds(t2 - t1),
      absl::ToDoubleSeconds(t3 - t2), absl::ToDoubleSeconds(t4 - t3),
      absl::ToDoubleSeconds(t4 - t0), usage.ru_maxrss / 1024, q.precision, q.recall, q.f1);
  return 0;
}
