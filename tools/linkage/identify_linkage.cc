// identify_linkage: links a FEBRL-format file through a running identify
// service, as a channel would, and reports pairwise quality.
//   identify_linkage --target=127.0.0.1:50051 --input=febrl2.csv --output=out.csv
// 1. every record is imported (CreateCustomer; a record whose national id is
//    already known is resolved onto that customer instead), tagged with an
//    external id <run namespace>/<rec_id>;
// 2. the match model is estimated from the data (EstimateMatchModel);
// 3. a deduplication job merges the duplicates (StartDeduplication);
// 4. each record's external id is looked up: the customer it lands on is
//    the survivor. Writes rec_id,customer_id and prints precision, recall, F1.
#include <atomic>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/random/random.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "crm/identify/v1/identify.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "tools/linkage/febrl_csv.h"
#include "common/parallel.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50051", "identify service address");
ABSL_FLAG(std::string, input, "", "FEBRL-format CSV file");
ABSL_FLAG(std::string, output, "", "Where to write rec_id,customer_id");
ABSL_FLAG(int, concurrency, 8, "Parallel calls");
ABSL_FLAG(absl::Duration, job_timeout, absl::Minutes(30), "Longest wait for deduplication");
ABSL_FLAG(std::string, namespace, "",
          "External-id namespace of the records (default: a new random one); give an earlier "
          "run's, printed at its start, to continue from what it loaded");
ABSL_FLAG(bool, skip_import, false,
          "With --namespace: the records are loaded already; estimate, deduplicate and score");
ABSL_FLAG(bool, import_only, false,
          "Only import the records (e.g. to load a benchmark data set), then exit");

namespace v1 = crm::identify::v1;
using crm::linkage::FebrlRecord;

namespace {

std::unique_ptr<grpc::ClientContext> Context(absl::Duration timeout = absl::Seconds(60)) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  return ctx;
}

[[noreturn]] void Fail(absl::string_view what, const grpc::Status& status) {
  std::cerr << "identify_linkage: " << what << " failed: " << status.error_code() << " "
            << status.error_message() << "\n";
  std::exit(1);
}

bool IsInvalidBirthDate(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::INVALID_ARGUMENT &&
         status.error_message().find("birth_date") != std::string::npos;
}

// Creates the record's customer; a known national id resolves onto its holder.
void Import(v1::IdentifyService::Stub& stub, const FebrlRecord& record, const std::string& ns) {
  v1::CreateCustomerRequest create;
  create.set_request_id(absl::StrCat(ns, ":", record.rec_id).substr(0, 64));
  *create.mutable_customer() = ToCustomer(record, ns);
  create.mutable_source()->set_channel(v1::COLLECTION_CHANNEL_IMPORT);
  create.mutable_source()->set_system(ns);
  v1::CreateCustomerResponse created;
  grpc::Status status = stub.CreateCustomer(Context().get(), create, &created);
  if (IsInvalidBirthDate(status)) {  // corrupted dates are dropped, as a channel would
    create.mutable_customer()->mutable_person()->clear_birth_date();
    status = stub.CreateCustomer(Context().get(), create, &created);
  }
  if (status.ok()) return;
  if (status.error_code() != grpc::StatusCode::ALREADY_EXISTS) Fail("CreateCustomer", status);
  v1::ResolveCustomerRequest resolve;
  resolve.set_request_id(create.request_id());
  *resolve.mutable_candidate() = create.customer();
  *resolve.mutable_source() = create.source();
  resolve.set_create_if_no_match(true);
  v1::ResolveCustomerResponse resolved;
  status = stub.ResolveCustomer(Context().get(), resolve, &resolved);
  if (!status.ok()) Fail("ResolveCustomer", status);
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "identify_linkage --target=HOST:PORT --input=FILE.csv --output=OUT.csv");
  absl::ParseCommandLine(argc, argv);
  std::ifstream in(absl::GetFlag(FLAGS_input));
  if (!in || absl::GetFlag(FLAGS_output).empty()) {
    std::cerr << "identify_linkage: --input must be a readable file and --output is required\n";
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto records = crm::linkage::ParseFebrl(text.str());
  if (!records.ok()) {
    std::cerr << "identify_linkage: " << records.status().message() << "\n";
    return 2;
  }
  absl::BitGen gen;
  std::string ns = absl::GetFlag(FLAGS_namespace);
  if (ns.empty()) {
    if (absl::GetFlag(FLAGS_skip_import)) {
      std::cerr << "identify_linkage: --skip_import needs the --namespace of the loading run\n";
      return 2;
    }
    ns = absl::StrFormat("linkage-%08x", absl::Uniform<uint32_t>(gen));
  }
  std::cerr << "namespace " << ns << "\n";
  auto channel = grpc::CreateChannel(absl::GetFlag(FLAGS_target), grpc::InsecureChannelCredentials());
  auto stub = v1::IdentifyService::NewStub(channel);
  const int threads = std::max(1, absl::GetFlag(FLAGS_concurrency));
  const absl::Time start = absl::Now();

  if (!absl::GetFlag(FLAGS_skip_import)) {
    crm::ParallelFor(records->size(), threads,
                            [&](size_t i) { Import(*stub, (*records)[i], ns); });
    const absl::Duration import_time = absl::Now() - start;
    std::cerr << absl::StrFormat("imported %d records in %s (%.0f records/s)\n", records->size(),
                                 absl::FormatDuration(import_time),
                                 records->size() / absl::ToDoubleSeconds(import_time));
  }
  if (absl::GetFlag(FLAGS_import_only)) return 0;

  v1::EstimateMatchModelResponse estimated;
  const absl::Time estimate_start = absl::Now();
  grpc::Status status = stub->EstimateMatchModel(Context(absl::Minutes(10)).get(),
                                                 v1::EstimateMatchModelRequest(), &estimated);
  if (!status.ok()) Fail("EstimateMatchModel", status);
  const v1::MatchModelInfo& model = estimated.model();
  std::cerr << "model version " << model.version() << ": lambda " << model.lambda() << ", "
            << model.candidate_pairs() << " candidate pairs, " << model.em_iterations()
            << " EM iterations, " << absl::FormatDuration(absl::Now() - estimate_start) << "\n";

  v1::StartDeduplicationRequest dedup;
  dedup.set_auto_merge(true);
  v1::StartDeduplicationResponse started;
  const absl::Time dedup_start = absl::Now();
  status = stub->StartDeduplication(Context().get(), dedup, &started);
  if (!status.ok()) Fail("StartDeduplication", status);
  v1::DeduplicationJob job = started.job();
  const absl::Time job_deadline = absl::Now() + absl::GetFlag(FLAGS_job_timeout);
  while (job.state() == v1::JOB_STATE_RUNNING && absl::Now() < job_deadline) {
    absl::SleepFor(absl::Milliseconds(200));
    v1::GetDeduplicationJobRequest get;
    get.set_job_id(job.job_id());
    v1::GetDeduplicationJobResponse got;
    status = stub->GetDeduplicationJob(Context().get(), get, &got);
    if (!status.ok()) Fail("GetDeduplicationJob", status);
    job = got.job();
  }
  if (job.state() != v1::JOB_STATE_SUCCEEDED) {
    std::cerr << "identify_linkage: deduplication did not succeed: " << job.error() << "\n";
    return 1;
  }
  std::cerr << "deduplication: " << job.clusters() << " clusters, " << job.merged()
            << " merged, " << job.queued_for_review() << " queued for review, "
            << absl::FormatDuration(absl::Now() - dedup_start) << "\n";

  std::vector<std::string> survivors(records->size());
  crm::ParallelFor(records->size(), threads, [&](size_t i) {
    v1::LookupCustomerRequest lookup;
    lookup.mutable_identifier()->set_type(v1::IDENTIFIER_TYPE_EXTERNAL_ID);
    lookup.mutable_identifier()->set_namespace_(ns);
    lookup.mutable_identifier()->set_value((*records)[i].rec_id);
    v1::LookupCustomerResponse found;
    grpc::Status s = stub->LookupCustomer(Context().get(), lookup, &found);
    if (!s.ok()) Fail("LookupCustomer", s);
    survivors[i] = found.customer().customer_id();
  });
  std::ofstream out(absl::GetFlag(FLAGS_output));
  out << "rec_id,customer_id\n";
  for (size_t i = 0; i < records->size(); ++i) {
    out << (*records)[i].rec_id << "," << survivors[i] << "\n";
  }
  if (!out.flush()) {
    std::cerr << "identify_linkage: cannot write " << absl::GetFlag(FLAGS_output) << "\n";
    return 1;
  }
  const auto q = crm::linkage::EvaluatePairs(*records, survivors);
  std::cout << absl::StrFormat(
      "records %d  true pairs %d  predicted pairs %d  correct %d\n"
      "precision %.4f  recall %.4f  F1 %.4f  (%s)\n",
      records->size(), q.true_pairs, q.predicted_pairs, q.correct_pairs, q.precision, q.recall,
      q.f1, absl::FormatDuration(absl::Now() - start));
  return 0;
}
