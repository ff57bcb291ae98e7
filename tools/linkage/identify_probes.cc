// Writes ResolveCustomer requests for `crm-loadgen --requests_file`: people
// drawn at random from a FEBRL-format file, presented as a channel without
// any identifier would (name, birth date, address), to benchmark
// probabilistic resolution against the customers loaded from that file.
//
//   crm-identify-probes --input=people.csv --count=20000 --output=probes.jsonl
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "crm/identify/v1/identify.pb.h"
#include "google/protobuf/util/json_util.h"
#include "tools/linkage/febrl_csv.h"

ABSL_FLAG(std::string, input, "", "FEBRL-format CSV file");
ABSL_FLAG(std::string, output, "", "Where to write one JSON request per line");
ABSL_FLAG(int, count, 10000, "Requests to write");
ABSL_FLAG(uint64_t, seed, 1, "Random seed (same seed, same requests)");

namespace v1 = crm::identify::v1;

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "crm-identify-probes --input=people.csv --count=20000 --output=probes.jsonl");
  absl::ParseCommandLine(argc, argv);
  std::ifstream in(absl::GetFlag(FLAGS_input));
  if (!in) {
    std::cerr << "crm-identify-probes: cannot read --input\n";
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto records = crm::linkage::ParseFebrl(text.str());
  if (!records.ok() || records->empty()) {
    std::cerr << "crm-identify-probes: " << (records.ok() ? "no records" : records.status().ToString())
              << "\n";
    return 2;
  }
  std::ofstream out(absl::GetFlag(FLAGS_output));
  if (!out || absl::GetFlag(FLAGS_count) < 1) {
    std::cerr << "crm-identify-probes: need --output and --count >= 1\n";
    return 2;
  }
  std::mt19937_64 rng(absl::GetFlag(FLAGS_seed));
  std::uniform_int_distribution<size_t> pick(0, records->size() - 1);
  google::protobuf::util::JsonPrintOptions compact;
  for (int i = 0; i < absl::GetFlag(FLAGS_count); ++i) {
    v1::ResolveCustomerRequest request;
    *request.mutable_candidate() = crm::linkage::ToCustomer((*records)[pick(rng)], "");
    request.mutable_candidate()->clear_identifiers();
    request.mutable_source()->set_channel(v1::COLLECTION_CHANNEL_WEBSITE);
    std::string line;
    if (!google::protobuf::util::MessageToJsonString(request, &line, compact).ok()) return 1;
    out << line << "\n";
  }
  return out.good() ? 0 : 1;
}
