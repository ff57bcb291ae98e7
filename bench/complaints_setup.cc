// Prepares a complaints benchmark against the running suite: creates
// customers in identify (each with a member card), puts a share of them in
// the "vip" and "key" tiers in segment with SLA classes that complaints
// knows, and writes FileComplaint requests for `crm-loadgen --requests_file`
// that name the complainant by card, so every filing resolves the customer
// through identify and reads the tier from segment.
//
//   crm-complaints-setup --customers=20000 --requests=100000 --output=complaints.jsonl
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "crm/complaints/v1/complaints.grpc.pb.h"
#include "crm/identify/v1/identify.grpc.pb.h"
#include "crm/segment/v1/segment.grpc.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/create_channel.h"
#include "common/parallel.h"

ABSL_FLAG(std::string, identify, "127.0.0.1:50051", "identify service address");
ABSL_FLAG(std::string, segment, "127.0.0.1:50054", "segment service address");
ABSL_FLAG(std::string, complaints, "127.0.0.1:50053", "complaints service address");
ABSL_FLAG(int, customers, 20000, "Customers to create");
ABSL_FLAG(int, requests, 100000, "FileComplaint requests to write");
ABSL_FLAG(int, concurrency, 32, "Parallel setup calls");
ABSL_FLAG(std::string, card_prefix, "66", "Member cards are this prefix and 8 digits");
ABSL_FLAG(std::string, output, "", "Where to write one FileComplaint request per line");
ABSL_FLAG(uint64_t, seed, 1, "Random seed of the requests");

namespace cv1 = crm::complaints::v1;
namespace iv1 = crm::identify::v1;
namespace sv1 = crm::segment::v1;

namespace {

template <typename Method, typename Request, typename Response>
void Call(Method method, const Request& request, Response* response) {
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  const grpc::Status s = method(&ctx, request, response);
  if (!s.ok()) {
    std::cerr << "crm-complaints-setup: " << s.error_code() << " " << s.error_message() << "\n";
    std::exit(1);
  }
}

std::shared_ptr<grpc::Channel> Channel(const std::string& target) {
  return grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
}

std::string Card(int i) {
  return absl::StrCat(absl::GetFlag(FLAGS_card_prefix), absl::StrFormat("%08d", i));
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "crm-complaints-setup --customers=N --requests=N --output=file.jsonl");
  absl::ParseCommandLine(argc, argv);
  std::ofstream out(absl::GetFlag(FLAGS_output));
  if (!out || absl::GetFlag(FLAGS_customers) < 1 || absl::GetFlag(FLAGS_requests) < 1) {
    std::cerr << "crm-complaints-setup: need --output, --customers >= 1 and --requests >= 1\n";
    return 2;
  }
  auto identify = iv1::IdentifyService::NewStub(Channel(absl::GetFlag(FLAGS_identify)));
  auto segment = sv1::SegmentService::NewStub(Channel(absl::GetFlag(FLAGS_segment)));
  auto complaints = cv1::ComplaintsService::NewStub(Channel(absl::GetFlag(FLAGS_complaints)));

  // Tiers and their SLA classes: vip answered in 30 min, key in 1 h.
  for (const auto& [tier, sla_class, minutes] :
       {std::tuple{"vip", "premium", 30}, std::tuple{"key", "priority", 60}}) {
    sv1::SetTierPolicyRequest policy;
    policy.mutable_policy()->set_tier(tier);
    policy.mutable_policy()->set_priority(minutes == 30 ? 900 : 700);
    policy.mutable_policy()->set_sla_class(sla_class);
    policy.mutable_policy()->set_contact_channel(sv1::CONTACT_CHANNEL_PHONE);
    sv1::SetTierPolicyResponse set;
    Call([&](auto* c, const auto& r, auto* p) { return segment->SetTierPolicy(c, r, p); },
         policy, &set);
    cv1::SetSlaPolicyRequest sla;
    sla.mutable_policy()->set_sla_class(sla_class);
    sla.mutable_policy()->set_calendar_id("default");
    for (int severity = 1; severity <= 4; ++severity) {
      auto* t = sla.mutable_policy()->add_targets();
      t->set_severity(static_cast<cv1::Severity>(severity));
      t->set_first_response_minutes(minutes * (5 - severity));
      t->set_resolution_minutes(minutes * (5 - severity) * 8);
    }
    for (int percent : {80, 100}) {
      auto* rule = sla.mutable_policy()->add_escalations();
      rule->set_clock(cv1::SLA_CLOCK_RESOLUTION);
      rule->set_percent_elapsed(percent);
      rule->set_action(cv1::ESCALATION_ACTION_NOTIFY);
    }
    cv1::SetSlaPolicyResponse sla_set;
    Call([&](auto* c, const auto& r, auto* p) { return complaints->SetSlaPolicy(c, r, p); }, sla,
         &sla_set);
  }

  const int customers = absl::GetFlag(FLAGS_customers);
  const absl::Time start = absl::Now();
  crm::ParallelFor(customers, absl::GetFlag(FLAGS_concurrency), [&](size_t i) {
    iv1::CreateCustomerRequest create;
    create.set_request_id(absl::StrCat("complaints-setup-", Card(i)));
    create.mutable_customer()->set_kind(iv1::CUSTOMER_KIND_PERSON);
    create.mutable_customer()->set_category(iv1::CUSTOMER_CATEGORY_CONSUMER);
    create.mutable_customer()->set_display_name(absl::StrCat("Complainant ", i));
    auto* card = create.mutable_customer()->add_identifiers();
    card->set_type(iv1::IDENTIFIER_TYPE_MEMBER_CARD);
    card->set_value(Card(i));
    iv1::CreateCustomerResponse created;
    Call([&](auto* c, const auto& r, auto* p) { return identify->CreateCustomer(c, r, p); },
         create, &created);
    if (i % 10 >= 3) return;  // 10 % vip, 20 % key, the rest no tier yet
    sv1::AssignCustomerTierRequest assign;
    assign.mutable_tier()->set_customer_id(created.customer().customer_id());
    assign.mutable_tier()->set_tier(i % 10 == 0 ? "vip" : "key");
    assign.mutable_tier()->set_reason("benchmark");
    sv1::AssignCustomerTierResponse assigned;
    Call([&](auto* c, const auto& r, auto* p) { return segment->AssignCustomerTier(c, r, p); },
         assign, &assigned);
  });
  const absl::Duration took = absl::Now() - start;
  std::cerr << absl::StrFormat("created %d customers in %s (%.0f/s)\n", customers,
                               absl::FormatDuration(took),
                               customers / absl::ToDoubleSeconds(took));

  std::mt19937_64 rng(absl::GetFlag(FLAGS_seed));
  std::uniform_int_distribution<int> customer(0, customers - 1), channel(1, 6), severity(1, 4);
  const char* subjects[] = {"late delivery", "damaged parcel", "charged twice",
                            "rude staff", "product stopped working", "missing points"};
  google::protobuf::util::JsonPrintOptions compact;
  for (int i = 0; i < absl::GetFlag(FLAGS_requests); ++i) {
    cv1::FileComplaintRequest request;
    request.set_request_id("REQ");
    const int who = customer(rng);
    request.mutable_customer_identifier()->set_type(iv1::IDENTIFIER_TYPE_MEMBER_CARD);
    request.mutable_customer_identifier()->set_value(Card(who));
    cv1::Complaint& c = *request.mutable_complaint();
    c.set_channel(static_cast<cv1::Channel>(channel(rng)));
    c.set_severity(static_cast<cv1::Severity>(severity(rng)));
    c.set_subject(subjects[i % std::size(subjects)]);
    c.set_description(absl::StrCat("Benchmark complaint ", i, ": ", c.subject(),
                                   ". The customer called twice and wants it sorted out."));
    c.set_desired_outcome("a replacement or a refund");
    c.set_order_reference(absl::StrCat("ORD-", 1000000 + i));
    std::string json;
    if (!google::protobuf::util::MessageToJsonString(request, &json, compact).ok()) return 1;
    const size_t at = json.find("\"REQ\"");
    json.replace(at, 5, "\"{{uuid}}\"");
    out << json << "\n";
  }
  return out.good() ? 0 : 1;
}
