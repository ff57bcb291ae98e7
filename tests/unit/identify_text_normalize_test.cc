#include "services/identify/text_normalize.h"

#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace crm::identify {
namespace {

TEST(FoldWidthAndSpaceTest, FoldsAndCollapses) {
  struct Case {
    const char* in;
    const char* want;
  } cases[] = {
      {"", ""},
      {" \t\n ", ""},
      {"１３８ ００１３", "138 0013"},
      {"ＡＢＣ ａｂｃ！～", "ABC abc!~"},
      {"\u3000 张\u3000\u3000三 \t\n", "张 三"},
      {"a\u00a0b\u2000c\u200ad\u202fe\u205ff", "a b c d e f"},
      {"a \u3000\u2003 b", "a b"},
      {"\uff5f\u200b", "\uff5f\u200b"},  // Outside the folded ranges.
      {"\xff  a\xe6\x9d", "\xff a\xe6\x9d"},
  };
  for (const Case& c : cases) EXPECT_EQ(FoldWidthAndSpace(c.in), c.want) << c.in;
}

TEST(NormalizePhoneTest, Valid) {
  struct Case {
    const char* raw;
    const char* region;
    const char* want;
  } cases[] = {
      {"１３８ ００１３ ８０００", "CN", "+8613800138000"},
      {"+86 138-0013-8000", "CN", "+8613800138000"},
      {"+86 138-0013-8000", "US", "+8613800138000"},
      {"+86 138-0013-8000", "", "+8613800138000"},
      {"＋８６（１３８）００１３８０００", "", "+8613800138000"},
      {"008613800138000", "CN", "+8613800138000"},
      {"13800138000", "cn", "+8613800138000"},
      {"+86/138.0013.8000", "GB", "+8613800138000"},
      {"010 1234 5678", "CN", "+861012345678"},
      {"+86 (0)10 1234 5678", "", "+861012345678"},
      {"0755-8765 4321", "CN", "+8675587654321"},
      {"(02) 6123 4567", "AU", "+61261234567"},
      {"（０２）６１２３　４５６７", "AU", "+61261234567"},
      {"(415) 555-2671", "US", "+14155552671"},
      {"1-415-555-2671", "US", "+14155552671"},
      {"415.555.2671", "CA", "+14155552671"},
      {"2222222222", "US", "+12222222222"},
      {"020 7946 0018", "GB", "+442079460018"},
      {"+44 (0)20 7946 0018", "CN", "+442079460018"},
      {"016977 2345", "GB", "+44169772345"},
      {"030 123456", "DE", "+4930123456"},
      {"01 23 45 67 89", "FR", "+33123456789"},
      {"03-1234-5678", "JP", "+81312345678"},
      {"9123 4567", "HK", "+85291234567"},
      {"9123 4567", "SG", "+6591234567"},
      {"0912 345 678", "TW", "+886912345678"},
      {"+7 495 123 45 67", "CN", "+74951234567"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::string> got = NormalizePhone(c.raw, c.region);
    ASSERT_TRUE(got.ok()) << c.raw << " / " << c.region << ": " << got.status();
    EXPECT_EQ(*got, c.want) << c.raw << " / " << c.region;
  }
}

TEST(NormalizePhoneTest, InvalidWithoutEchoingDigits) {
  struct Case {
    const char* raw;
    const char* region;
    const char* message_part;
  } cases[] = {
      {"", "CN", "empty"},
      {" \u3000 ", "CN", "empty"},
      {"-()", "CN", "no digits"},
      {"+", "CN", "no digits"},
      {"138-0013-800A", "CN", "letters"},
      {"13800138000 ext 5", "CN", "letters"},
      {"138#0013", "CN", "invalid character"},
      {"++8613800138000", "CN", "invalid character"},
      {"138+00138000", "CN", "invalid character"},
      {"12345", "CN", "too few digits for CN"},
      {"138001380001", "CN", "too many digits for CN"},
      {"1380013800", "CN", "11 digits"},
      {"12012345678", "CN", "invalid CN prefix"},
      {"+86 10 1234 56789", "", "Beijing"},
      {"13800138000", "XX", "unknown default region"},
      {"+8613800138000", "ZZ", "unknown default region"},
      {"13800138000", "", "needs a country code"},
      {"+0 123 4567 8901", "", "starting with 0"},
      {"415 555 267", "US", "too few digits for US/CA"},
      {"+1 015 555 2671", "", "starting with 0"},
      {"+1 115 555 2671", "", "area code starting with 1"},
      {"020 7946 00", "GB", "too few digits for GB"},
      {"(02) 6123 45678", "AU", "too many digits for AU"},
      {"+999 1234", "", "8-15 digits"},
      {"+999 1234 5678 9012 34", "", "8-15 digits"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::string> got = NormalizePhone(c.raw, c.region);
    ASSERT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument) << c.raw;
    std::string message(got.status().message());
    EXPECT_NE(message.find(c.message_part), std::string::npos) << c.raw << ": " << message;
    std::string digits;
    for (const char* p = c.raw; *p != '\0'; ++p) {
      if (*p >= '0' && *p <= '9') digits.push_back(*p);
    }
    for (size_t i = 0; i + 3 <= digits.size(); ++i) {
      EXPECT_EQ(message.find(digits.substr(i, 3)), std::string::npos) << c.raw << ": " << message;
    }
  }
}

TEST(NormalizeEmailTest, Valid) {
  std::string local64(64, 'a');
  std::string domain189 =
      std::string(63, 'b') + "." + std::string(63, 'c') + "." + std::string(61, 'd');
  struct Case {
    std::string raw;
    std::string want;
  } cases[] = {
      {" Zhang.San@Example.COM ", "zhang.san@example.com"},
      {"\u3000ａｂｃ＠ｅｘａｍｐｌｅ．ｃｏｍ", "abc@example.com"},
      {"User+Tag@Mail.Example-Corp.CN", "user+tag@mail.example-corp.cn"},
      {"x@a.b", "x@a.b"},
      {"x@163.com", "x@163.com"},
      {local64 + "@example.com", local64 + "@example.com"},
      {local64 + "@" + domain189, local64 + "@" + domain189},  // 254 bytes.
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::string> got = NormalizeEmail(c.raw);
    ASSERT_TRUE(got.ok()) << c.raw << ": " << got.status();
    EXPECT_EQ(*got, c.want);
  }
}

TEST(NormalizeEmailTest, InvalidWithoutEchoingAddress) {
  std::string local65(65, 'z');
  std::string domain190 =
      std::string(63, 'b') + "." + std::string(63, 'c') + "." + std::string(62, 'd');
  struct Case {
    std::string raw;
    std::string message_part;
  } cases[] = {
      {"", "empty"},
      {"   ", "empty"},
      {"zhang.example.com", "no '@'"},
      {"zhang@san@example.com", "more than one '@'"},
      {"@example.com", "empty local part"},
      {local65 + "@example.com", "local part longer than 64"},
      {"zhang@", "no domain"},
      {"zhang@localhost", "without a dot"},
      {"zhang@-example.com", "starting or ending with '-'"},
      {"zhang@example-.com", "starting or ending with '-'"},
      {"zhang@example..com", "empty domain label"},
      {"zhang@example.com.", "empty domain label"},
      {"zhang@.example.com", "empty domain label"},
      {"zhang@" + std::string(64, 'x') + ".com", "label longer than 63"},
      {"zhang san@example.com", "whitespace"},
      {"zhang@example.com\x01", "control"},
      {"zhang@exa_mple.com", "characters other than"},
      {"zhang@例子.com", "characters other than"},
      {std::string(64, 'z') + "@" + domain190, "longer than 254"},  // 255 bytes.
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::string> got = NormalizeEmail(c.raw);
    ASSERT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument) << c.raw;
    std::string message(got.status().message());
    EXPECT_NE(message.find(c.message_part), std::string::npos) << c.raw << ": " << message;
    EXPECT_EQ(message.find("zhang"), std::string::npos) << message;
    EXPECT_EQ(message.find("zzz"), std::string::npos) << message;
  }
}

TEST(NormalizeCodeTest, Valid) {
  struct Case {
    std::string raw;
    bool upper_case;
    std::string want;
  } cases[] = {
      {" 6222 0212-3456 7890 ", true, "6222021234567890"},
      {"ab-12 cd", true, "AB12CD"},
      {"１１０１０１１９９００３０７７７５ｘ", true, "11010119900307775X"},
      {"粤b-12345", true, "粤B12345"},
      {"\u3000Device-ID  abc \t", false, "Device-ID  abc"},
      {"ｄｅｖ１", false, "dev1"},
      {"a\tb", false, "a b"},
      {std::string(128, 'k'), false, std::string(128, 'k')},
      {std::string(130, '-') + "x", true, "X"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::string> got = NormalizeCode(c.raw, c.upper_case);
    ASSERT_TRUE(got.ok()) << c.raw << ": " << got.status();
    EXPECT_EQ(*got, c.want);
  }
}

TEST(NormalizeCodeTest, Invalid) {
  struct Case {
    std::string raw;
    bool upper_case;
    std::string message_part;
  } cases[] = {
      {"", true, "empty"},
      {" - - ", true, "empty"},
      {" \u3000 ", false, "empty"},
      {std::string(129, 'k'), false, "longer than 128"},
      {std::string(129, 'k'), true, "longer than 128"},
      {"ab\001c", true, "control"},
      {"ab\x7f", false, "control"},
      {"ab\xc2\x85", false, "control"},  // U+0085, a C1 control.
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::string> got = NormalizeCode(c.raw, c.upper_case);
    ASSERT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument) << c.raw;
    EXPECT_NE(got.status().message().find(c.message_part), absl::string_view::npos) << got.status();
  }
}

}  // namespace
}  // namespace crm::identify
