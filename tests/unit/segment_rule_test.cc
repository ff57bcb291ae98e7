#include "services/segment/segment_rule.h"

#include "gtest/gtest.h"

namespace crm::segment {
namespace {

v1::CustomerValue Customer() {
  v1::CustomerValue v;
  v.set_recency_days(120);
  v.set_frequency(7);
  v.set_monetary_minor(250000);
  v.set_r(2);
  v.set_f(4);
  v.set_m(5);
  v.set_rfm_cell("245");
  v.set_rfm_segment("at risk");
  v.set_value_tier("key");
  v.set_lifecycle_stage("decline");
  v.set_abc_class("B");
  v.set_value_quadrant("maintain");
  v.set_complaints_filed(2);
  v.set_complaints_open(1);
  return v;  // no clv, no p_alive, no satisfaction
}

bool Matches(const std::string& rule) {
  auto parsed = SegmentRule::Parse(rule);
  EXPECT_TRUE(parsed.ok()) << rule << ": " << parsed.status();
  return parsed.ok() && parsed->Matches(Customer());
}

TEST(SegmentRuleTest, ComparesNumbersAndText) {
  EXPECT_TRUE(Matches("recency_days > 90"));
  EXPECT_FALSE(Matches("recency_days > 120"));
  EXPECT_TRUE(Matches("recency_days >= 120"));
  EXPECT_TRUE(Matches("frequency = 7 and monetary_minor <= 250000"));
  EXPECT_TRUE(Matches("m != 4"));
  EXPECT_TRUE(Matches("rfm_segment = 'at risk'"));
  EXPECT_TRUE(Matches("tier != \"vip\""));
  EXPECT_TRUE(Matches("rfm_cell = '245'"));
  EXPECT_TRUE(Matches("complaints_open >= 1 and complaints_filed = 2"));
  EXPECT_TRUE(Matches("abc in ('A', 'B') and quadrant = 'maintain'"));
}

TEST(SegmentRuleTest, InListsAndBooleanStructure) {
  EXPECT_TRUE(Matches("tier in ('vip', 'key')"));
  EXPECT_FALSE(Matches("tier not in ('vip', 'key')"));
  EXPECT_TRUE(Matches("r in (1, 2) and f in (4,5)"));
  // "and" binds tighter than "or".
  EXPECT_TRUE(Matches("tier = 'vip' and r = 5 or stage = 'decline'"));
  EXPECT_FALSE(Matches("tier = 'vip' and (r = 5 or stage = 'decline')"));
  EXPECT_TRUE(Matches("not tier = 'vip'"));
  EXPECT_FALSE(Matches("not not tier = 'vip'"));
  EXPECT_TRUE(Matches("TIER = 'key' AND Stage = 'decline'"));  // keywords and fields in any case
}

TEST(SegmentRuleTest, AValueTheCustomerLacksComparesFalse) {
  EXPECT_FALSE(Matches("clv > 0"));
  EXPECT_FALSE(Matches("clv <= 0"));
  EXPECT_TRUE(Matches("not clv > 100"));
  EXPECT_FALSE(Matches("satisfaction < 3"));
  EXPECT_FALSE(Matches("p_alive in (0, 1)"));
  v1::CustomerValue valued = Customer();
  valued.set_predicted_clv(1500.5);
  valued.set_probability_alive(0.25);
  EXPECT_TRUE(SegmentRule::Parse("clv > 1500 and p_alive < 0.3")->Matches(valued));
}

void ExpectInvalid(const std::string& rule, const std::string& says) {
  auto parsed = SegmentRule::Parse(rule);
  ASSERT_FALSE(parsed.ok()) << rule;
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(parsed.status().message().find(says), std::string::npos)
      << rule << " -> " << parsed.status().message();
}

TEST(SegmentRuleTest, ParseErrorsSayWhereAndWhat) {
  ExpectInvalid("", "at 1: the rule is empty");
  ExpectInvalid("   ", "at 1: the rule is empty");
  ExpectInvalid("recency > 3", "at 1: expected a field (recency_days, frequency");
  ExpectInvalid("r >", "at 4: expected a number after '>', found the end");
  ExpectInvalid("r > 'x'", "at 5: expected a number after '>'");
  ExpectInvalid("tier = vip", "at 8: expected quoted text after '=', found 'vip'");
  ExpectInvalid("tier > 'vip'", "at 6: tier is text: only =, != and in apply");
  ExpectInvalid("r = 1 and", "at 10: expected a field");
  ExpectInvalid("r = 1 r = 2", "at 7: expected 'and', 'or' or the end, found 'r'");
  ExpectInvalid("(r = 1", "at 7: expected ')', found the end");
  ExpectInvalid("tier in 'vip'", "at 9: expected '(' after 'in'");
  ExpectInvalid("tier in ('vip' 'key')", "at 16: expected ',' or ')'");
  ExpectInvalid("tier not = 'vip'", "at 10: expected 'in' after 'not'");
  ExpectInvalid("tier = 'vip", "at 8: text without its closing quote");
  ExpectInvalid("r == 1", "at 4: expected a number after '='");
  ExpectInvalid("r = 1 & f = 2", "at 7: unexpected '&'");
  ExpectInvalid("r ! 1", "at 3: unexpected '!'");
  ExpectInvalid("r = 1.2.3", "at 5: expected a number after '='");
  ExpectInvalid(std::string(2001, ' '), "at most 2000 characters");
}

}  // namespace
}  // namespace crm::segment
