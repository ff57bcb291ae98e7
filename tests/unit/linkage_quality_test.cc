// Record linkage without labels on the FEBRL reference sets: the model is
// estimated from the records alone and the clusters are scored against the
// ground truth encoded in rec_id.
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/identify/linkage.h"
#include "tools/linkage/febrl_csv.h"

namespace crm::identify {
namespace {

std::vector<linkage::FebrlRecord> Load(const std::string& name) {
  std::ifstream in(absl::StrCat(CRM_SOURCE_DIR, "/tests/data/febrl/", name));
  std::stringstream text;
  text << in.rdbuf();
  auto records = linkage::ParseFebrl(text.str());
  EXPECT_TRUE(records.ok()) << records.status();
  return records.ok() ? *records : std::vector<linkage::FebrlRecord>{};
}

linkage::PairwiseQuality Link(const std::vector<linkage::FebrlRecord>& febrl) {
  std::vector<MatchRecord> records;
  for (const auto& r : febrl) records.push_back(linkage::ToMatchRecord(r));
  const MatchModel model = EstimateModel(records, {}, MatchModel::Default(), nullptr);
  const Clustering clustering =
      ClusterRecords(records, ScorePairs(records, BlockedPairs(records), model, model.lower, 2),
                     model);
  std::vector<std::string> cluster_of;
  for (const auto& r : records) cluster_of.push_back(r.customer_id);
  for (const auto& cluster : clustering.clusters) {
    for (uint32_t member : cluster) cluster_of[member] = records[cluster[0]].customer_id;
  }
  return linkage::EvaluatePairs(febrl, cluster_of);
}

TEST(LinkageQualityTest, Febrl1WithoutLabels) {
  const auto q = Link(Load("febrl1.csv"));
  EXPECT_EQ(q.true_pairs, 500);
  EXPECT_GE(q.f1, 0.99) << "precision " << q.precision << " recall " << q.recall;
}

TEST(LinkageQualityTest, Febrl2WithoutLabels) {
  const auto q = Link(Load("febrl2.csv"));
  EXPECT_EQ(q.true_pairs, 1934);
  EXPECT_GE(q.f1, 0.99) << "precision " << q.precision << " recall " << q.recall;
}

TEST(LinkageQualityTest, EvaluationCountsPairs) {
  std::vector<linkage::FebrlRecord> records(4);
  records[0].rec_id = "rec-1-org";
  records[1].rec_id = "rec-1-dup-0";
  records[2].rec_id = "rec-1-dup-1";
  records[3].rec_id = "rec-2-org";
  // One true pair missed (dup-1 alone), one false pair (rec-2 with org).
  const auto q = linkage::EvaluatePairs(records, {"a", "a", "b", "a"});
  EXPECT_EQ(q.true_pairs, 3);
  EXPECT_EQ(q.predicted_pairs, 3);
  EXPECT_EQ(q.correct_pairs, 1);
  EXPECT_NEAR(q.f1, 1.0 / 3, 1e-9);
}

TEST(LinkageQualityTest, ParserRejectsShortLines) {
  auto parsed = linkage::ParseFebrl("rec_id, given_name\nrec-1-org, a, b\n");
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(LinkageQualityTest, OneWeakLinkDoesNotChainStrangers) {
  // a~b and b~c are strong, a and c are strangers: the cluster must not
  // take all three.
  MatchModel model = MatchModel::Default();
  std::vector<MatchRecord> records(3);
  records[0] = {"a", "john", "smith", "19800101", "12", "miller street", "", "sydney", "2000",
                "nsw", "", "", ""};
  records[1] = {"b", "john", "smith", "19800101", "12", "miller street", "", "sydney", "2000",
                "nsw", "", "", ""};
  records[2] = records[1];
  records[2].customer_id = "c";
  records[2].given_name = "mary";
  records[2].birth_date = "19550707";
  records[2].street_number = "98";
  const std::vector<ScoredPair> scored = {{0, 1, 0.999}, {1, 2, 0.97}};
  const Clustering clustering = ClusterRecords(records, scored, model);
  ASSERT_EQ(clustering.clusters.size(), 1u);
  EXPECT_EQ(clustering.clusters[0], (std::vector<uint32_t>{0, 1}));
}

TEST(RecordReservoirTest, KeepsEverythingUnderItsCapacity) {
  RecordReservoir reservoir(10, 1);
  for (int i = 0; i < 7; ++i) reservoir.Add(MatchRecord{.customer_id = absl::StrCat(i)});
  const auto sample = reservoir.Take();
  ASSERT_EQ(sample.size(), 7u);
  for (int i = 0; i < 7; ++i) EXPECT_EQ(sample[i].customer_id, absl::StrCat(i));
}

TEST(RecordReservoirTest, SamplesALongStreamUniformly) {
  RecordReservoir reservoir(1000, 3);
  for (int i = 0; i < 100'000; ++i) reservoir.Add(MatchRecord{.customer_id = absl::StrCat(i)});
  EXPECT_EQ(reservoir.seen(), 100'000u);
  const auto sample = reservoir.Take();
  ASSERT_EQ(sample.size(), 1000u);
  // Each tenth of the stream holds about a tenth of the sample.
  std::vector<int> per_tenth(10);
  for (const auto& r : sample) ++per_tenth[std::stoi(r.customer_id) / 10'000];
  for (int count : per_tenth) {
    EXPECT_GT(count, 60);
    EXPECT_LT(count, 140);
  }
}

}  // namespace
}  // namespace crm::identify
