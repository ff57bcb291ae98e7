// Prepares a loyalty benchmark against a running service: creates a program
// (category rates, a campaign, caps, expiry, pending days, three levels),
// enrolls members
// and writes RecordPurchase requests for `crm-loadgen --requests_file`, each
// for a random member with a fresh source transaction id per call
// ({{uuid}}) and 1-5 lines from a small supermarket catalogue.
//
//   crm-loyalty-setup --target=127.0.0.1:50052 --members=100000 \
//     --requests=20000 --output=purchases.jsonl
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/clock.h"
#include "common/ids.h"
#include "crm/loyalty/v1/loyalty.grpc.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/create_channel.h"
#include "common/parallel.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50052", "loyalty service address");
ABSL_FLAG(int, members, 100000, "Members to enroll");
ABSL_FLAG(int, requests, 20000, "Purchase requests to write");
ABSL_FLAG(int, concurrency, 32, "Parallel enrollments");
ABSL_FLAG(std::string, output, "", "Where to write one RecordPurchase request per line");
ABSL_FLAG(uint64_t, seed, 1, "Random seed of the purchases");

namespace v1 = crm::loyalty::v1;

namespace {

struct Item {
  const char* sku;
  const char* category;
  int64_t price_fen;
};

constexpr Item kCatalogue[] = {
    {"apple-1kg", "fresh", 1290},  {"milk-1l", "dairy", 650},    {"rice-5kg", "grocery", 3990},
    {"dogfood-2kg", "pet", 8900},  {"diapers-m", "baby", 12900}, {"soap-3", "household", 1590},
    {"salmon-300g", "fresh", 4500}, {"wine-750", "drinks", 9900}, {"bread", "bakery", 890},
};

v1::Program BenchProgram() {
  v1::Program p;
  p.set_display_name("Benchmark club");
  p.set_currency_code("CNY");
  p.set_currency_exponent(2);
  v1::ProgramRules& r = *p.mutable_rules();
  r.mutable_earning()->set_points_per_currency_unit(1);
  for (const auto& [category, rate] : {std::pair{"fresh", 2}, std::pair{"baby", 3}}) {
    auto* c = r.mutable_earning()->add_category_rates();
    c->set_category(category);
    c->set_points_per_currency_unit(rate);
  }
  auto* campaign = r.mutable_earning()->add_campaigns();
  campaign->set_name("pet month");
  campaign->mutable_start_time()->set_seconds(absl::ToUnixSeconds(absl::Now()) - 86400);
  campaign->mutable_end_time()->set_seconds(absl::ToUnixSeconds(absl::Now()) + 30 * 86400);
  campaign->set_multiplier_percent(200);
  campaign->add_categories("pet");
  r.mutable_earning()->set_max_points_per_day(5000);
  r.mutable_earning()->set_enrollment_bonus(100);
  r.mutable_earning()->set_first_purchase_bonus(50);
  r.mutable_expiry()->set_kind(v1::ExpiryPolicy::KIND_MONTHS_AFTER_EARNING);
  r.mutable_expiry()->set_months(24);
  r.set_pending_days(7);
  // Every purchase evaluates the member's level.
  r.mutable_levels()->set_basis(v1::LevelRules::BASIS_QUALIFYING_SPEND);
  r.mutable_levels()->set_grace_days(30);
  for (const auto& [name, threshold, percent] :
       {std::tuple{"silver", 0, 100}, std::tuple{"gold", 200000, 150},
        std::tuple{"platinum", 1000000, 200}}) {
    v1::Level* level = r.mutable_levels()->add_levels();
    level->set_name(name);
    level->set_threshold(threshold);
    level->set_multiplier_percent(percent);
  }
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "crm-loyalty-setup --target=host:port --members=N --requests=N --output=file.jsonl");
  absl::ParseCommandLine(argc, argv);
  std::ofstream out(absl::GetFlag(FLAGS_output));
  if (!out || absl::GetFlag(FLAGS_members) < 1 || absl::GetFlag(FLAGS_requests) < 1) {
    std::cerr << "crm-loyalty-setup: need --output, --members >= 1 and --requests >= 1\n";
    return 2;
  }
  auto stub = v1::LoyaltyService::NewStub(
      grpc::CreateChannel(absl::GetFlag(FLAGS_target), grpc::InsecureChannelCredentials()));
  auto call = [](auto method, const auto& request, auto* response) {
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    const grpc::Status s = method(&ctx, request, response);
    if (!s.ok()) {
      std::cerr << "crm-loyalty-setup: " << s.error_code() << " " << s.error_message() << "\n";
      std::exit(1);
    }
  };
  v1::CreateProgramRequest create;
  *create.mutable_program() = BenchProgram();
  v1::CreateProgramResponse program;
  call([&](auto* c, const auto& r, auto* p) { return stub->CreateProgram(c, r, p); }, create,
       &program);

  crm::IdGenerator customer_ids(crm::SystemClock::Get());
  std::vector<std::string> members(absl::GetFlag(FLAGS_members));
  const absl::Time start = absl::Now();
  crm::ParallelFor(members.size(), absl::GetFlag(FLAGS_concurrency), [&](size_t i) {
    v1::EnrollMemberRequest enroll;
    enroll.set_program_id(program.program().program_id());
    enroll.set_customer_id(customer_ids.Next());
    v1::EnrollMemberResponse enrolled;
    call([&](auto* c, const auto& r, auto* p) { return stub->EnrollMember(c, r, p); }, enroll,
         &enrolled);
    members[i] = enrolled.member().member_id();
  });
  const absl::Duration took = absl::Now() - start;
  std::cerr << absl::StrFormat("program %s: enrolled %d members in %s (%.0f/s)\n",
                               program.program().program_id(), members.size(),
                               absl::FormatDuration(took),
                               members.size() / absl::ToDoubleSeconds(took));

  std::mt19937_64 rng(absl::GetFlag(FLAGS_seed));
  std::uniform_int_distribution<size_t> member(0, members.size() - 1);
  std::uniform_int_distribution<int> line_count(1, 5), item(0, std::size(kCatalogue) - 1),
      quantity(1, 3);
  google::protobuf::util::JsonPrintOptions compact;
  for (int i = 0; i < absl::GetFlag(FLAGS_requests); ++i) {
    v1::RecordPurchaseRequest request;
    v1::Purchase& p = *request.mutable_purchase();
    p.set_member_id(members[member(rng)]);
    p.set_source_transaction_id("TXN");
    p.set_channel("pos");
    p.set_store_id(absl::StrCat(1 + i % 40));
    for (int l = line_count(rng); l > 0; --l) {
      const Item& it = kCatalogue[item(rng)];
      v1::PurchaseLine& line = *p.add_lines();
      line.set_sku(it.sku);
      line.set_category(it.category);
      line.set_quantity(quantity(rng));
      line.set_amount_minor(it.price_fen * line.quantity());
    }
    std::string json;
    if (!google::protobuf::util::MessageToJsonString(request, &json, compact).ok()) return 1;
    // Every call is a new transaction at the till.
    const size_t at = json.find("\"TXN\"");
    json.replace(at, 5, "\"{{uuid}}\"");
    out << json << "\n";
  }
  return out.good() ? 0 : 1;
}
