#include <cstdint>
#include <string>
#include <vector>

#include "bench/loadgen_report.h"
#include "bench/loadgen_stats.h"
#include "bench/request_factory.h"
#include "bench/request_template.h"
#include "crm/bench/v1/echo.pb.h"
#include "tools/byte_buffers.h"
#include "gtest/gtest.h"

namespace crm::bench {
namespace {

std::vector<int64_t> OneTo(int64_t n) {
  std::vector<int64_t> v;
  for (int64_t i = 1; i <= n; ++i) v.push_back(i);
  return v;
}

// Hands out the given words in order, then zeros.
class FixedRandom {
 public:
  explicit FixedRandom(std::vector<uint64_t> words) : words_(std::move(words)) {}
  uint64_t operator()() const { return next_ < words_.size() ? words_[next_++] : 0; }
  size_t used() const { return next_; }

 private:
  std::vector<uint64_t> words_;
  mutable size_t next_ = 0;
};

TEST(PercentileTest, OneToHundred) {
  const std::vector<int64_t> v = OneTo(100);
  EXPECT_EQ(PercentileOfSorted(v, 50), 50);
  EXPECT_EQ(PercentileOfSorted(v, 90), 90);
  EXPECT_EQ(PercentileOfSorted(v, 99), 99);
  EXPECT_EQ(PercentileOfSorted(v, 99.9), 100);
  EXPECT_EQ(PercentileOfSorted(v, 100), 100);
  EXPECT_EQ(PercentileOfSorted(v, 0.5), 1);
}

TEST(PercentileTest, NinetyNinePointNineIsExact) {
  // 99.9 * 1000 / 100 in floating point is not exactly 999.
  EXPECT_EQ(PercentileOfSorted(OneTo(1000), 99.9), 999);
  EXPECT_EQ(PercentileOfSorted(OneTo(10000), 99.9), 9990);
  EXPECT_EQ(PercentileOfSorted(OneTo(1001), 99.9), 1000);
}

TEST(PercentileTest, NearestRank) {
  const std::vector<int64_t> v = {10, 20, 30, 40};
  EXPECT_EQ(PercentileOfSorted(v, 1), 10);
  EXPECT_EQ(PercentileOfSorted(v, 25), 10);
  EXPECT_EQ(PercentileOfSorted(v, 26), 20);
  EXPECT_EQ(PercentileOfSorted(v, 50), 20);
  EXPECT_EQ(PercentileOfSorted(v, 75), 30);
  EXPECT_EQ(PercentileOfSorted(v, 76), 40);
}

TEST(PercentileTest, SmallSamples) {
  EXPECT_EQ(PercentileOfSorted({}, 50), 0);
  const std::vector<int64_t> one = {7};
  EXPECT_EQ(PercentileOfSorted(one, 50), 7);
  EXPECT_EQ(PercentileOfSorted(one, 99.9), 7);
}

TEST(SummarizeTest, SortsAndConvertsToMilliseconds) {
  std::vector<int64_t> ns = {5'000'000, 1'000'000, 3'000'000, 2'000'000, 4'000'000};
  LatencySummary s = Summarize(&ns);
  EXPECT_EQ(ns, (std::vector<int64_t>{1'000'000, 2'000'000, 3'000'000, 4'000'000, 5'000'000}));
  EXPECT_EQ(s.count, 5);
  EXPECT_DOUBLE_EQ(s.mean_ms, 3.0);
  EXPECT_DOUBLE_EQ(s.p50_ms, 3.0);
  EXPECT_DOUBLE_EQ(s.p90_ms, 5.0);
  EXPECT_DOUBLE_EQ(s.p99_ms, 5.0);
  EXPECT_DOUBLE_EQ(s.p999_ms, 5.0);
  EXPECT_DOUBLE_EQ(s.max_ms, 5.0);
}

TEST(SummarizeTest, Empty) {
  std::vector<int64_t> ns;
  LatencySummary s = Summarize(&ns);
  EXPECT_EQ(s.count, 0);
  EXPECT_EQ(s.p50_ms, 0);
  EXPECT_EQ(s.max_ms, 0);
}

TEST(CallStatsTest, Merge) {
  CallStats a;
  a.sent = 5;
  a.ok = 3;
  a.errors = {{"UNAVAILABLE", 1}};
  a.latencies_ns = {1, 2, 3};
  CallStats b;
  b.sent = 4;
  b.ok = 2;
  b.errors = {{"UNAVAILABLE", 1}, {"DEADLINE_EXCEEDED", 1}};
  b.latencies_ns = {4, 5};
  a.Merge(std::move(b));
  EXPECT_EQ(a.sent, 9);
  EXPECT_EQ(a.ok, 5);
  EXPECT_EQ(a.errors,
            (std::map<std::string, int64_t>{{"DEADLINE_EXCEEDED", 1}, {"UNAVAILABLE", 2}}));
  EXPECT_EQ(a.error_count(), 3);
  EXPECT_EQ(a.latencies_ns, (std::vector<int64_t>{1, 2, 3, 4, 5}));
}

TEST(ReportTest, JsonHasTheNumbers) {
  CallStats stats;
  stats.sent = 1003;
  stats.ok = 1000;
  stats.errors = {{"UNAVAILABLE", 2}};
  stats.latencies_ns = OneTo(1000);
  for (int64_t& ns : stats.latencies_ns) ns = ns * 1000 + 100;  // 1.1 us .. 1000.1 us
  RunReport r = MakeReport(std::move(stats));
  r.label = "t";
  r.target = "127.0.0.1:1";
  r.method = "crm.bench.v1.EchoService/Echo";
  r.concurrency = 4;
  r.connections = 1;
  r.threads = 2;
  r.warmup_s = 0.5;
  r.duration_s = 3;
  EXPECT_EQ(r.completed(), 1002);
  EXPECT_DOUBLE_EQ(r.rps(), 334.0);
  EXPECT_EQ(ReportJson(r),
            R"({"label":"t","target":"127.0.0.1:1","method":"crm.bench.v1.EchoService/Echo",)"
            R"("concurrency":4,"connections":1,"threads":2,"warmup_s":0.5,"duration_s":3.0,)"
            R"("sent":1003,"completed":1002,"ok":1000,"error_count":2,"errors":{"UNAVAILABLE":2},)"
            R"("rps":334.0,"ok_rps":333.3,"latency_ms":{"p50":0.5,"p90":0.9,"p99":0.99,)"
            R"("p999":0.999,"max":1.0,"mean":0.501}})");  // mean 500.6 us
}

TEST(ReportTest, TextHasTheNumbers) {
  RunReport r;
  r.label = "echo";
  r.duration_s = 2;
  r.sent = 10;
  r.ok = 9;
  r.errors = {{"CANCELLED", 1}};
  r.latency.p50_ms = 0.25;
  const std::string text = ReportText(r);
  EXPECT_NE(text.find("crm-loadgen echo\n"), std::string::npos) << text;
  EXPECT_NE(text.find("10 sent, 10 completed, 9 ok, 1 failed"), std::string::npos) << text;
  EXPECT_NE(text.find("errors       CANCELLED=1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("5.0 calls/s (4.5 ok/s)"), std::string::npos) << text;
  EXPECT_NE(text.find("p50 0.250 "), std::string::npos) << text;
}

TEST(RequestTemplateTest, ConstantText) {
  auto t = RequestTemplate::Parse(R"({"a":{"b":[1,{"c":"}}"}]}})");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE(t->is_constant());
  FixedRandom random({});
  EXPECT_EQ(t->Expand(9, random), R"({"a":{"b":[1,{"c":"}}"}]}})");
  EXPECT_EQ(random.used(), 0u);
}

TEST(RequestTemplateTest, Empty) {
  auto t = RequestTemplate::Parse("");
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->is_constant());
  EXPECT_EQ(t->Expand(0, FixedRandom({})), "");
}

TEST(RequestTemplateTest, Seq) {
  auto t = RequestTemplate::Parse(R"({"request_id":"r-{{seq}}","n":{{seq}}})");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_FALSE(t->is_constant());
  EXPECT_EQ(t->Expand(0, FixedRandom({})), R"({"request_id":"r-0","n":0})");
  EXPECT_EQ(t->Expand(18446744073709551615u, FixedRandom({})),
            R"({"request_id":"r-18446744073709551615","n":18446744073709551615})");
}

TEST(RequestTemplateTest, Rand) {
  auto t = RequestTemplate::Parse("{{rand:10}},{{rand:1}},{{rand:1000}}");
  ASSERT_TRUE(t.ok()) << t.status();
  FixedRandom random({1234, 99, 123456789});
  EXPECT_EQ(t->Expand(0, random), "4,0,789");
  EXPECT_EQ(random.used(), 3u);
}

TEST(RequestTemplateTest, Uuid) {
  auto t = RequestTemplate::Parse(R"({"request_id":"{{uuid}}"})");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->Expand(0, FixedRandom({0x0123456789abcdef, 0xfedcba9876543210})),
            R"({"request_id":"01234567-89ab-4def-bedc-ba9876543210"})");
}

TEST(RequestTemplateTest, PlaceholdersUseRandomInOrder) {
  auto t = RequestTemplate::Parse("{{rand:100}}/{{uuid}}/{{seq}}");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->Expand(7, FixedRandom({105, 0, 0})), "5/00000000-0000-4000-8000-000000000000/7");
}

TEST(RequestTemplateTest, UuidVersionAndVariantBits) {
  EXPECT_EQ(UuidV4(0, 0), "00000000-0000-4000-8000-000000000000");
  EXPECT_EQ(UuidV4(~uint64_t{0}, ~uint64_t{0}), "ffffffff-ffff-4fff-bfff-ffffffffffff");
}

TEST(RequestTemplateTest, BadPlaceholders) {
  for (const char* text : {"{{nope}}", "{{rand:0}}", "{{rand:}}", "{{rand:x}}", "{{rand:-1}}",
                           "{{seq", "a{{", "{{ seq }}", "{{}}"}) {
    auto t = RequestTemplate::Parse(text);
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument) << text;
  }
}


TEST(RequestFactoryTest, UsesTheRequestsInTurnAndChecksEachFirst) {
  auto method = tools::DynamicMethod::Find("crm.bench.v1.EchoService/Echo");
  ASSERT_TRUE(method.ok()) << method.status();
  std::vector<RequestTemplate> templates;
  for (const char* text : {R"({"payload":"YQ=="})", R"({"delay_ms":{{seq}}})"}) {
    templates.push_back(*RequestTemplate::Parse(text));
  }
  auto factory = RequestFactory::Create(*method, templates);
  ASSERT_TRUE(factory.ok()) << factory.status();
  uint64_t word = 0;
  std::vector<std::string> payloads;
  std::vector<uint32_t> delays;
  for (int i = 0; i < 4; ++i) {
    auto bytes = (*factory)->Next([&] { return word++; });
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    crm::bench::v1::EchoRequest request;
    ASSERT_TRUE(request.ParseFromString(tools::FromByteBuffer(*bytes)));
    payloads.push_back(request.payload());
    delays.push_back(request.delay_ms());
  }
  EXPECT_EQ(payloads, (std::vector<std::string>{"a", "", "a", ""}));
  EXPECT_EQ(delays, (std::vector<uint32_t>{0, 1, 0, 3}));

  templates.push_back(*RequestTemplate::Parse(R"({"no_such_field":1})"));
  auto bad = RequestFactory::Create(*method, templates);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("request 3"), std::string::npos) << bad.status();
}

}  // namespace
}  // namespace crm::bench
