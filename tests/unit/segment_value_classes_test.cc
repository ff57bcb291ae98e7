#include "gtest/gtest.h"
#include "services/segment/engine/value_classes.h"

namespace crm::segment {
namespace {

using Classes = std::vector<std::string>;

TEST(AbcClassesTest, ClassesFollowTheCumulativeValueShare) {
  // Total 100: 50 and 25 bring the first 75 %, 10 starts at 75 % (A), 8 at
  // 85 % (B), 4 at 93 % (B), 3 at 97 % (C).
  EXPECT_EQ(AbcClasses({4, 50, 3, 25, 8, 10}), (Classes{"B", "A", "C", "A", "B", "A"}));
}

TEST(AbcClassesTest, TiesShareTheBestClassAndNoValueIsC) {
  // 40 + 40 reach 80 %, the tied 10s both start inside B.
  EXPECT_EQ(AbcClasses({40, 40, 10, 10, 0, -5}), (Classes{"A", "A", "B", "B", "C", "C"}));
  EXPECT_EQ(AbcClasses({0, 0}), (Classes{"C", "C"}));
  EXPECT_TRUE(AbcClasses({}).empty());
}

TEST(ValueQuadrantsTest, EachSideIsHighAtOrAboveItsMedian) {
  const std::vector<double> current = {100, 10, 100, 10, 50};
  const std::vector<std::optional<double>> potential = {900, 900, 1, 1, std::nullopt};
  EXPECT_EQ(ValueQuadrants(current, potential),
            (Classes{"strategic", "grow", "maintain", "reduce", ""}));
}

}  // namespace
}  // namespace crm::segment
