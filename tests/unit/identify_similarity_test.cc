#include "services/identify/similarity.h"

#include "gtest/gtest.h"

namespace crm::identify {
namespace {

TEST(JaroWinklerTest, KnownValues) {
  struct Case {
    const char* a;
    const char* b;
    double want;
  } cases[] = {
      {"MARTHA", "MARHTA", 0.961},
      {"DWAYNE", "DUANE", 0.840},
      {"DIXON", "DICKSONX", 0.813},
      {"martha", "MARHTA", 0.961},
      {"abc", "abc", 1.0},
      {"a", "a", 1.0},
      {"abc", "xyz", 0.0},
      {"张伟", "张伟", 1.0},
      {"张伟", "张玮", 0.700},      // Jaro 2/3, one-character prefix.
      {"王小明", "王晓明", 0.800},  // Jaro 7/9, one-character prefix.
      {"\xff", "\xfe", 0.0},
      {"", "", 0.0},
      {"abc", "", 0.0},
      {"", "张伟", 0.0},
  };
  for (const Case& c : cases) {
    EXPECT_NEAR(JaroWinkler(c.a, c.b), c.want, 0.001) << c.a << " / " << c.b;
    EXPECT_DOUBLE_EQ(JaroWinkler(c.a, c.b), JaroWinkler(c.b, c.a)) << c.a << " / " << c.b;
  }
}

TEST(LevenshteinTest, CountsCodePointEdits) {
  struct Case {
    const char* a;
    const char* b;
    int want;
  } cases[] = {
      {"", "", 0},           {"", "abc", 3},        {"kitten", "sitting", 3},
      {"flaw", "lawn", 2},   {"Zhang", "zhang", 0}, {"张伟", "张玮", 1},
      {"北京市", "北京", 1}, {"李雷", "韩梅梅", 3}, {"\xff", "\xfe", 1},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Levenshtein(c.a, c.b), c.want) << c.a << " / " << c.b;
    EXPECT_EQ(Levenshtein(c.b, c.a), c.want) << c.a << " / " << c.b;
  }
}

TEST(CompareDatesTest, AllAgreementLevels) {
  struct Case {
    const char* a;
    const char* b;
    DateAgreement want;
  } cases[] = {
      {"19850312", "19850312", DateAgreement::kExact},
      {"19850312", "19851203", DateAgreement::kTransposed},  // Day and month.
      {"19850312", "19850321", DateAgreement::kTransposed},  // Adjacent digits.
      {"19850312", "19580312", DateAgreement::kTransposed},
      {"19850312", "19850313", DateAgreement::kOneDigit},
      {"19850312", "19860312", DateAgreement::kOneDigit},
      {"19850312", "19850413", DateAgreement::kSameYear},
      {"19850312", "19851225", DateAgreement::kSameYear},
      {"19850312", "19750313", DateAgreement::kDisagree},
      {"19850312", "19900101", DateAgreement::kDisagree},
      {"", "19850312", DateAgreement::kMissing},
      {"", "", DateAgreement::kMissing},
      {"1985-03-12", "19850312", DateAgreement::kMissing},
      {"1985031", "19850312", DateAgreement::kMissing},
      {"19850312", "1985031a", DateAgreement::kMissing},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(CompareDates(c.a, c.b), c.want) << c.a << " / " << c.b;
    EXPECT_EQ(CompareDates(c.b, c.a), c.want) << c.a << " / " << c.b;
  }
}

TEST(CompareNumbersTest, AllAgreementLevels) {
  struct Case {
    const char* a;
    const char* b;
    int close_within;
    NumberAgreement want;
  } cases[] = {
      {"12", "12", 0, NumberAgreement::kExact},
      {" 12a ", "12A", 0, NumberAgreement::kExact},
      {"Flat B", "flat b", 0, NumberAgreement::kExact},
      {"12a", "12b", 0, NumberAgreement::kClose},
      {"12", "14", 2, NumberAgreement::kClose},
      {"12", "25", 2, NumberAgreement::kDisagree},
      {"12", "15", 2, NumberAgreement::kClose},      // One edit.
      {"2600", "2601", 0, NumberAgreement::kClose},  // One edit.
      {"2600", "2610", 10, NumberAgreement::kClose},
      {"02600", "2600", 0, NumberAgreement::kClose},
      {"2600", "2060", 0, NumberAgreement::kDisagree},
      {"2600", "3700", 50, NumberAgreement::kDisagree},
      {"A", "B", 0, NumberAgreement::kDisagree},
      {"A12", "A13", 5, NumberAgreement::kDisagree},
      {"12", "A12", 5, NumberAgreement::kDisagree},
      {"9999999999999999999", "9999999999999999998", 5, NumberAgreement::kDisagree},
      {"", "12", 0, NumberAgreement::kMissing},
      {"  ", "12", 0, NumberAgreement::kMissing},
      {"", "", 0, NumberAgreement::kMissing},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(CompareNumbers(c.a, c.b, c.close_within), c.want) << c.a << " / " << c.b;
    EXPECT_EQ(CompareNumbers(c.b, c.a, c.close_within), c.want) << c.a << " / " << c.b;
  }
}

TEST(SoundexTest, AmericanSoundexAndFallback) {
  struct Case {
    const char* name;
    const char* want;
  } cases[] = {
      {"Robert", "R163"},
      {"Rupert", "R163"},
      {"Rubin", "R150"},
      {"Ashcraft", "A261"},
      {"Ashcroft", "A261"},
      {"Tymczak", "T522"},
      {"Pfister", "P236"},
      {"Honeyman", "H555"},
      {"robert", "R163"},
      {"O'Brien", "O165"},
      {"Lee", "L000"},
      {"A", "A000"},
      {"Müller", "M460"},
      {"Muller", "M460"},
      {"Wang 王", "W520"},
      {"张伟", "张伟"},
      {"王小明", "王小"},
      {" 李 雷 ", "李雷"},
      {"", ""},
      {"  ", ""},
  };
  for (const Case& c : cases) EXPECT_EQ(Soundex(c.name), c.want) << c.name;
}

}  // namespace
}  // namespace crm::identify
