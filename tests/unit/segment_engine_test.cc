#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/errors.h"
#include "services/segment/engine/rfm.h"
#include "services/segment/engine/scoring.h"
#include "services/segment/engine/transactions.h"
#include "services/segment/engine/value_models.h"

namespace crm::segment {
namespace {

std::vector<int> Field(const std::vector<RfmScore>& scores, int RfmScore::*field) {
  std::vector<int> out;
  for (const RfmScore& s : scores) out.push_back(s.*field);
  return out;
}

TEST(RfmTest, TenDistinctValuesFillTheQuintilesTwoByTwo) {
  std::vector<RfmValues> values;
  for (int i = 0; i < 10; ++i) values.push_back({100 - 10 * i, i + 1, 1000 * (i + 1)});
  const auto scores = ScoreRfm(values);
  const std::vector<int> expected = {1, 1, 2, 2, 3, 3, 4, 4, 5, 5};
  EXPECT_EQ(Field(scores, &RfmScore::r), expected);  // smaller recency is better
  EXPECT_EQ(Field(scores, &RfmScore::f), expected);
  EXPECT_EQ(Field(scores, &RfmScore::m), expected);
}

TEST(RfmTest, TiesShareTheLowestRankWhateverTheOrder) {
  // Ranks 1..7 of 7 values, the middle three tied at rank 3.
  std::vector<RfmValues> values = {{0, 1, 0}, {0, 2, 0}, {0, 5, 0}, {0, 5, 0},
                                   {0, 5, 0}, {0, 8, 0}, {0, 9, 0}};
  EXPECT_EQ(Field(ScoreRfm(values), &RfmScore::f), (std::vector<int>{1, 1, 2, 2, 2, 4, 5}));
  std::reverse(values.begin(), values.end());
  EXPECT_EQ(Field(ScoreRfm(values), &RfmScore::f), (std::vector<int>{5, 4, 2, 2, 2, 1, 1}));
  // Everyone equal: everyone gets 1.
  std::vector<RfmValues> same(4, RfmValues{3, 3, 3});
  EXPECT_EQ(Field(ScoreRfm(same), &RfmScore::m), (std::vector<int>{1, 1, 1, 1}));
  EXPECT_TRUE(ScoreRfm({}).empty());
  EXPECT_EQ(ScoreRfm(std::vector<RfmValues>{{5, 5, 5}})[0].r, 1);
}

TEST(RfmTest, EveryNamedSegmentHasItsCells) {
  const auto& rules = DefaultRfmSegmentRules();
  const std::vector<std::pair<RfmScore, std::string>> cases = {
      {{5, 5, 1}, "champions"},        {{5, 4, 3}, "champions"},
      {{4, 5, 2}, "loyal"},            {{3, 4, 5}, "loyal"},
      {{5, 3, 1}, "potential_loyalist"}, {{4, 2, 4}, "potential_loyalist"},
      {{5, 1, 5}, "new"},              {{4, 1, 1}, "promising"},
      {{3, 3, 3}, "need_attention"},   {{3, 2, 1}, "about_to_sleep"},
      {{3, 1, 4}, "about_to_sleep"},   {{2, 5, 5}, "cannot_lose"},
      {{1, 5, 1}, "cannot_lose"},      {{2, 4, 3}, "at_risk"},
      {{1, 3, 2}, "at_risk"},          {{1, 1, 1}, "lost"},
      {{1, 1, 5}, "lost"},             {{2, 2, 2}, "hibernating"},
      {{1, 2, 4}, "hibernating"},      {{2, 1, 1}, "hibernating"}};
  for (const auto& [score, segment] : cases) {
    EXPECT_EQ(RfmSegmentOf(score, rules), segment)
        << "R" << score.r << " F" << score.f << " M" << score.m;
  }
  EXPECT_TRUE(ValidateRfmSegmentRules(rules).ok());
}

TEST(RfmTest, RuleTablesMustCoverEveryCell) {
  std::vector<RfmSegmentRule> rules = {{"all_but_one", 1, 5, 1, 5, 2, 5}};
  const absl::Status gap = ValidateRfmSegmentRules(rules);
  EXPECT_EQ(gap.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(gap.message().find("R1 F1 M1"), std::string::npos);
  rules = {{"bad", 0, 5, 1, 5, 1, 5}};
  EXPECT_EQ(MetadataOf(ValidateRfmSegmentRules(rules))["field"], "rules[0]");
}

TEST(TransactionsTest, SameDayPurchasesAreOneTransactionAndAmountsAreExact) {
  auto histories = ParseTransactionsCsv(
      "customer_id,date,amount\n"
      "c1,2024-01-02,10.10\n"
      "c2,2024-01-01,5\n"
      "c1,2024-01-02,0.20\n"
      "c1,2024-01-01,-1.5\r\n"
      "c1,2024-03-01,7.00\n",
      absl::CivilDay(2024, 2, 1));
  ASSERT_TRUE(histories.ok()) << histories.status();
  ASSERT_EQ(histories->size(), 2u);
  const CustomerHistory& c1 = (*histories)[0];
  EXPECT_EQ(c1.customer_id, "c1");
  EXPECT_EQ(c1.purchases, 3);          // the March row is after `until`
  EXPECT_EQ(c1.total_cents, 880);      // 10.10 + 0.20 - 1.50
  ASSERT_EQ(c1.days.size(), 2u);
  EXPECT_EQ(c1.days[1].second, 1030);  // 2 January: 10.10 + 0.20
}

TEST(TransactionsTest, MalformedRowsNameTheLine) {
  for (const char* bad : {"c1,2024-13-01,1.00\n", "c1,2024-01-01,1.001\n", "c1,2024-01-01\n",
                          ",2024-01-01,1\n", "c1,2024-01-01,abc\n", "c1,2024-01-01,1,2\n"}) {
    auto parsed = ParseTransactionsCsv(absl::StrCat("customer_id,date,amount\n", bad),
                                       absl::CivilDay(2030, 1, 1));
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(MetadataOf(parsed.status())["line"], "2") << bad;
  }
}

TEST(PyramidTest, TopSharesWithTiesAndNegativeValue) {
  std::vector<double> values;
  for (int i = 100; i >= 1; --i) values.push_back(i);
  values.push_back(-5);
  const auto tiers = PyramidTiers(values, DefaultPyramid());
  EXPECT_EQ(tiers[0], "vip");       // the best 1 % of 101
  EXPECT_EQ(tiers[1], "key");
  EXPECT_EQ(tiers[5], "major");     // rank 6: 5.9 %
  EXPECT_EQ(tiers[20], "ordinary");
  EXPECT_EQ(tiers[60], "small");
  EXPECT_EQ(tiers[100], "negative");
  // Ten equal values share the tier of the best of them (rank 1 of 10: 10 %).
  const auto tied = PyramidTiers(std::vector<double>(10, 7.0), DefaultPyramid());
  EXPECT_EQ(tied, std::vector<std::string>(10, "major"));
}

TEST(LifecycleTest, StagesFollowThePurchaseTrend) {
  auto history = [](std::vector<int> day_offsets) {
    CustomerHistory h;
    for (int d : day_offsets) h.days.emplace_back(absl::CivilDay(2024, 1, 1) + d, 1000);
    h.purchases = static_cast<int64_t>(h.days.size());
    return h;
  };
  const absl::CivilDay as_of(2024, 1, 1);
  EXPECT_EQ(LifecycleStage(history({0, 10}), as_of + 30), "exploration");
  EXPECT_EQ(LifecycleStage(history({0, 150, 170, 190, 200}), as_of + 200), "formation");
  EXPECT_EQ(LifecycleStage(history({0, 50, 100, 150, 200}), as_of + 210), "stable");
  EXPECT_EQ(LifecycleStage(history({0, 10, 20, 30, 120}), as_of + 200), "decline");
  EXPECT_EQ(LifecycleStage(history({0, 10, 20, 30, 40}), as_of + 400), "decline");  // overdue
}

// The CDNOW cohort of Fader, Hardie & Lee (2005): 2,357 customers, 39-week
// calibration ending 1997-09-30, time in weeks.
std::vector<ModelCustomer> Cdnow() {
  std::ifstream in(std::string(CRM_SOURCE_DIR) + "/tests/data/cdnow/CDNOW_sample.txt");
  std::string csv = "customer_id,date,amount\n", line;
  while (std::getline(in, line)) {
    std::vector<std::string> f = absl::StrSplit(line, ' ', absl::SkipEmpty());
    csv += absl::StrCat(f[1], ",", f[2].substr(0, 4), "-", f[2].substr(4, 2), "-",
                        f[2].substr(6, 2), ",", f[4], "\n");
  }
  const absl::CivilDay end(1997, 9, 30);
  auto histories = ParseTransactionsCsv(csv, end);
  EXPECT_TRUE(histories.ok());
  std::vector<ModelCustomer> customers;
  for (const auto& h : *histories) customers.push_back(ToModelCustomer(h, end, 7.0));
  return customers;
}

void ExpectWithin(double got, double published, double tolerance, const char* name) {
  EXPECT_NEAR(got, published, std::abs(published) * tolerance) << name;
}

TEST(ValueModelsTest, BgNbdReproducesThePublishedCdnowEstimates) {
  const auto customers = Cdnow();
  ASSERT_EQ(customers.size(), 2357u);
  auto fit = FitBgNbd(customers);
  ASSERT_TRUE(fit.ok()) << fit.status();
  ExpectWithin(fit->params.r, 0.243, 0.01, "r");
  ExpectWithin(fit->params.alpha, 4.414, 0.01, "alpha");
  ExpectWithin(fit->params.a, 0.793, 0.01, "a");
  ExpectWithin(fit->params.b, 2.426, 0.01, "b");
  EXPECT_NEAR(fit->log_likelihood, -9582.4, 0.1);
  // Customer 1516 of the paper (x = 26, t_x = 30.86, T = 31) over the next
  // 39 weeks: 20.750 by eq. 10 evaluated independently (mpmath's hyp2f1)
  // at these parameters.
  const ModelCustomer busy{26, 30.86, 31, 0}, idle{0, 0, 31, 0};
  EXPECT_NEAR(ExpectedTransactions(fit->params, busy, 39), 20.750, 0.01);
  EXPECT_LT(ExpectedTransactions(fit->params, idle, 39), 1);
  EXPECT_NEAR(ProbabilityAlive(fit->params, idle), 1.0, 1e-12);
}

TEST(ValueModelsTest, GammaGammaReproducesThePublishedCdnowEstimates) {
  auto fit = FitGammaGamma(Cdnow());
  ASSERT_TRUE(fit.ok()) << fit.status();
  EXPECT_EQ(fit->customers, 946);
  ExpectWithin(fit->params.p, 6.25, 0.02, "p");
  ExpectWithin(fit->params.q, 3.74, 0.02, "q");
  ExpectWithin(fit->params.gamma, 15.44, 0.02, "gamma");
  // Shrinkage: a one-repeat customer's expected spend lies between its own
  // mean and the population mean p gamma / (q - 1) = 35.2.
  const double spend = ExpectedAverageSpend(fit->params, {1, 10, 39, 100});
  EXPECT_GT(spend, 35.2);
  EXPECT_LT(spend, 100);
}

TEST(ValueModelsTest, TooLittleDataIsAClearError) {
  std::vector<ModelCustomer> few = {{1, 2, 10, 5}, {0, 0, 10, 0}, {2, 5, 10, 7}};
  EXPECT_EQ(ReasonOf(FitBgNbd(few).status()), "INSUFFICIENT_DATA");
  EXPECT_EQ(ReasonOf(FitGammaGamma(few).status()), "INSUFFICIENT_DATA");
  std::vector<ModelCustomer> no_repeats(50, ModelCustomer{0, 0, 20, 0});
  EXPECT_EQ(ReasonOf(FitBgNbd(no_repeats).status()), "INSUFFICIENT_DATA");
  std::vector<ModelCustomer> same_spend(50, ModelCustomer{2, 5, 20, 10});
  EXPECT_EQ(ReasonOf(FitGammaGamma(same_spend).status()), "INSUFFICIENT_DATA");
  std::vector<ModelCustomer> bad = {{1, 0, 10, 5}};
  EXPECT_EQ(FitBgNbd(bad).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace crm::segment
