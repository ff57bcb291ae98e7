#include "common/ids.h"

#include <set>

#include "gtest/gtest.h"

namespace crm {
namespace {

TEST(IdGeneratorTest, IdsAreValidAndStrictlyIncreasingWithinOneMillisecond) {
  FakeClock clock(absl::FromUnixMillis(1'700'000'000'000));
  IdGenerator ids(&clock);
  std::string previous = ids.Next();
  EXPECT_EQ(previous.size(), 26u);
  EXPECT_TRUE(IsValidId(previous));
  for (int i = 0; i < 10000; ++i) {
    std::string next = ids.Next();
    ASSERT_LT(previous, next);
    previous = next;
  }
}

TEST(IdGeneratorTest, TimestampPrefixSortsAcrossMillisecondsAndSurvivesClockStepBack) {
  FakeClock clock(absl::FromUnixMillis(1'700'000'000'000));
  IdGenerator ids(&clock);
  std::string first = ids.Next();
  clock.Advance(absl::Milliseconds(1));
  std::string second = ids.Next();
  EXPECT_LT(first.substr(0, 10), second.substr(0, 10));
  clock.Advance(absl::Seconds(-5));  // NTP stepped back
  EXPECT_LT(second, ids.Next());
}

TEST(IdGeneratorTest, EncodesTheUnixMillisecondsInTheFirstTenCharacters) {
  FakeClock clock(absl::UnixEpoch());
  IdGenerator ids(&clock);
  EXPECT_EQ(ids.Next().substr(0, 10), "0000000000");
  FakeClock later(absl::FromUnixMillis(1));
  IdGenerator ids2(&later);
  EXPECT_EQ(ids2.Next().substr(0, 10), "0000000001");
}

TEST(IdGeneratorTest, TwoGeneratorsDoNotCollide) {
  FakeClock clock(absl::FromUnixMillis(1'700'000'000'000));
  IdGenerator a(&clock), b(&clock);
  std::set<std::string> seen;
  for (int i = 0; i < 5000; ++i) {
    ASSERT_TRUE(seen.insert(a.Next()).second);
    ASSERT_TRUE(seen.insert(b.Next()).second);
  }
}

TEST(IsValidIdTest, RejectsWrongShapes) {
  EXPECT_FALSE(IsValidId(""));
  EXPECT_FALSE(IsValidId("01HZX"));
  EXPECT_FALSE(IsValidId("01HZXAAAAAAAAAAAAAAAAAAAAI"));  // I is not Crockford
  EXPECT_FALSE(IsValidId("81HZXAAAAAAAAAAAAAAAAAAAAA"));  // beyond 48-bit time
  EXPECT_FALSE(IsValidId("01hzxaaaaaaaaaaaaaaaaaaaaa"));
  EXPECT_TRUE(IsValidId("01HZXAAAAAAAAAAAAAAAAAAAAA"));
}

}  // namespace
}  // namespace crm
