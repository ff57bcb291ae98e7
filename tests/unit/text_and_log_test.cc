#include "common/errors.h"
#include "common/log.h"
#include "common/text.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace crm {
namespace {

TEST(TextTest, Utf8LengthCountsCodePoints) {
  EXPECT_EQ(Utf8Length("abc"), 3u);
  EXPECT_EQ(Utf8Length("李雷"), 2u);
  EXPECT_EQ(Utf8Length("\xff"), absl::string_view::npos);
  EXPECT_EQ(Utf8Length("\xe6\x9d"), absl::string_view::npos);
  EXPECT_EQ(Utf8Length("\xc0\xaf"), absl::string_view::npos);          // overlong '/'
  EXPECT_EQ(Utf8Length("\xed\xa0\x80"), absl::string_view::npos);      // surrogate
  EXPECT_EQ(Utf8Length("\xf4\x90\x80\x80"), absl::string_view::npos);  // > U+10FFFF
  EXPECT_EQ(Utf8Length("\xf0\x9f\x98\x80"), 1u);                      // emoji
}

TEST(TextTest, CheckTextTrimsAndBounds) {
  std::string v = "  韩梅梅 \n";
  EXPECT_TRUE(CheckText("name", v, 1, 3).ok());
  EXPECT_EQ(v, "韩梅梅");
  std::string empty = "   ";
  absl::Status s = CheckText("name", empty, 1, 3);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MetadataOf(s).at("field"), "name");
  std::string control = "a\x01";
  EXPECT_EQ(CheckText("name", control, 1, 10).message(), "name: contains control characters");
  std::string del = "a\x7f", c1 = "a\xc2\x85";
  EXPECT_EQ(CheckText("name", del, 1, 10).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckText("name", c1, 1, 10).code(), absl::StatusCode::kInvalidArgument);
  std::string too_long(11, 'x');
  EXPECT_EQ(CheckText("name", too_long, 1, 10).message(), "name: must be 1-10 characters");
}

TEST(LogTest, OneJsonObjectPerLineWithFields) {
  log::SetService("identify");
  std::string line = log::FormatLine("warn", "rpc \"failed\"\nnext",
                                     {{"method", std::string("/a/B")},
                                      {"count", int64_t{3}},
                                      {"ms", 1.5},
                                      {"ok", false}});
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["level"], "warn");
  EXPECT_EQ(j["service"], "identify");
  EXPECT_EQ(j["msg"], "rpc \"failed\"\nnext");
  EXPECT_EQ(j["method"], "/a/B");
  EXPECT_EQ(j["count"], 3);
  EXPECT_EQ(j["ms"], 1.5);
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["ts"].get<std::string>().size(), 24u);  // 2026-11-23T09:00:00.000Z
}

TEST(LogTest, InvalidUtf8DoesNotThrow) {
  std::string line = log::FormatLine("info", "bad \xff byte", {});
  EXPECT_NE(line.find("bad"), std::string::npos);
}

}  // namespace
}  // namespace crm
