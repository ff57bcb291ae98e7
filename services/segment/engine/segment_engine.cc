// segment_engine: the segment service's scoring and value models, offline,
// for analysts.
//
//   segment_engine score --transactions FILE.csv --as-of DATE --output OUT.csv [--no-clv]
//   segment_engine fit --transactions FILE.csv --observation-end DATE [--time-unit week|day]
//
// FILE.csv: `customer_id,date,amount` with a header line, dates YYYY-MM-DD.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/segment/engine/scoring.h"
#include "services/segment/engine/transactions.h"
#include "services/segment/engine/value_models.h"

namespace crm::segment {
namespace {

constexpr char kUsage[] =
    "usage:\n"
    "  segment_engine score --transactions FILE.csv --as-of YYYY-MM-DD --output OUT.csv "
    "[--no-clv]\n"
    "  segment_engine fit --transactions FILE.csv --observation-end YYYY-MM-DD "
    "[--time-unit week|day] [--penalty X]\n";

int Fail(absl::string_view message) {
  std::cerr << "segment_engine: " << message << "\n" << kUsage;
  return 2;
}

// --name value pairs after the command; flags without a value map to "".
bool ParseArgs(int argc, char** argv, std::map<std::string, std::string>* args) {
  for (int i = 2; i < argc; ++i) {
    const std::string name = argv[i];
    if (name.rfind("--", 0) != 0) return false;
    if (name == "--no-clv") {
      (*args)[name] = "";
    } else if (i + 1 < argc) {
      (*args)[name] = argv[++i];
    } else {
      return false;
    }
  }
  return true;
}

std::string Money(int64_t cents) {
  const char* sign = cents < 0 ? "-" : "";
  const uint64_t magnitude = cents < 0 ? -static_cast<uint64_t>(cents) : cents;
  return absl::StrFormat("%s%d.%02d", sign, magnitude / 100, magnitude % 100);
}

int Score(std::map<std::string, std::string>& args) {
  ScoreOptions options;
  if (!ParseDay(args["--as-of"], &options.as_of)) return Fail("--as-of must be YYYY-MM-DD");
  if (args["--transactions"].empty() || args["--output"].empty()) {
    return Fail("--transactions and --output are required");
  }
  options.predict_clv = !args.contains("--no-clv");
  auto histories = ReadTransactionsCsv(args["--transactions"], options.as_of);
  if (!histories.ok()) return Fail(histories.status().message());
  std::string note;
  const std::vector<ScoredCustomer> scored = ScoreCustomers(*histories, options, &note);
  if (options.predict_clv && !note.empty()) {
    std::cerr << "segment_engine: clv left empty: " << note << "\n";
  }
  std::FILE* out = std::fopen(args["--output"].c_str(), "w");
  if (out == nullptr) return Fail(absl::StrCat("cannot write ", args["--output"]));
  std::fputs("customer_id,recency_days,frequency,monetary,r,f,m,rfm_segment,tier,stage,clv\n", out);
  for (const ScoredCustomer& c : scored) {
    const std::string clv = c.clv ? absl::StrFormat("%.2f", *c.clv) : "";
    std::fprintf(out, "%s,%lld,%lld,%s,%d,%d,%d,%s,%s,%s,%s\n", c.history->customer_id.c_str(),
                 static_cast<long long>(c.rfm.recency_days),
                 static_cast<long long>(c.rfm.frequency), Money(c.rfm.monetary_cents).c_str(),
                 c.score.r, c.score.f, c.score.m, c.rfm_segment.c_str(), c.tier.c_str(),
                 c.stage.c_str(), clv.c_str());
  }
  return std::fclose(out) == 0 ? 0 : Fail("write failed");
}

int FitModels(std::map<std::string, std::string>& args) {
  absl::CivilDay end;
  if (!ParseDay(args["--observation-end"], &end)) {
    return Fail("--observation-end must be YYYY-MM-DD");
  }
  const std::string unit = args.contains("--time-unit") ? args["--time-unit"] : "week";
  if (unit != "week" && unit != "day") return Fail("--time-unit must be week or day");
  FitOptions options;
  if (args.contains("--penalty")) options.penalty = std::atof(args["--penalty"].c_str());
  if (args["--transactions"].empty()) return Fail("--transactions is required");
  auto histories = ReadTransactionsCsv(args["--transactions"], end);
  if (!histories.ok()) return Fail(histories.status().message());
  std::vector<ModelCustomer> customers;
  customers.reserve(histories->size());
  for (const CustomerHistory& h : *histories) {
    customers.push_back(ToModelCustomer(h, end, unit == "week" ? 7.0 : 1.0));
  }
  auto bgnbd = FitBgNbd(customers, options);
  if (!bgnbd.ok()) return Fail(bgnbd.status().message());
  auto gg = FitGammaGamma(customers, options);
  if (!gg.ok()) return Fail(gg.status().message());
  const BgNbdParams& b = bgnbd->params;
  const GammaGammaParams& g = gg->params;
  std::cout << absl::StrFormat(
      "{\"bgnbd\":{\"r\":%.6g,\"alpha\":%.6g,\"a\":%.6g,\"b\":%.6g,\"log_likelihood\":%.6f},"
      "\"gamma_gamma\":{\"p\":%.6g,\"q\":%.6g,\"gamma\":%.6g,\"log_likelihood\":%.6f,"
      "\"customers\":%d},\"customers\":%d}\n",
      b.r, b.alpha, b.a, b.b, bgnbd->log_likelihood, g.p, g.q, g.gamma, gg->log_likelihood,
      gg->customers, bgnbd->customers);
  return 0;
}

}  // namespace
}  // namespace crm::segment

int main(int argc, char** argv) {
  if (argc < 2) return crm::segment::Fail("a command is required");
  std::map<std::string, std::string> args;
  if (!crm::segment::ParseArgs(argc, argv, &args)) return crm::segment::Fail("bad arguments");
  const std::string command = argv[1];
  if (command == "score") return crm::segment::Score(args);
  if (command == "fit") return crm::segment::FitModels(args);
  return crm::segment::Fail(absl::StrCat("unknown command ", command));
}
