// The segment service's contract, by address: tier policies, customer tiers,
// the recompute and customer values (which follow loyalty's and complaints'
// change feeds).
#include <functional>
#include <map>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/civil_time.h"
#include "crm/complaints/v1/complaints.grpc.pb.h"
#include "crm/identify/v1/identify.grpc.pb.h"
#include "crm/loyalty/v1/loyalty.grpc.pb.h"
#include "crm/segment/v1/segment.grpc.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "tests/contract/endpoint/contract_test_util.h"
#include "tests/contract/endpoint/segment_jobs.h"

namespace crm::contract {
namespace {

namespace sv1 = segment::v1;
constexpr char kDomain[] = "segment.crm";

std::unique_ptr<sv1::SegmentService::Stub> Segment() {
  return sv1::SegmentService::NewStub(Suite().segment());
}

void ExpectInvalidField(const grpc::Status& status, const std::string& field) {
  ExpectError(status, grpc::StatusCode::INVALID_ARGUMENT, "INVALID_FIELD", kDomain);
  EXPECT_EQ(ErrorMetadata(status)["field"], field) << status.error_message();
}

// A tier name unique to this run ("tier_<run>_<n>": letters, digits, '_').
std::string UniqueTier() { return absl::StrReplaceAll(Suite().Unique("tier"), {{"-", "_"}}); }

std::string NewCustomer(const std::string& name) {
  auto customers = identify::v1::IdentifyService::NewStub(Suite().identify());
  identify::v1::CreateCustomerRequest create;
  create.set_request_id(Suite().Unique("seg-customer"));
  create.mutable_customer()->set_kind(identify::v1::CUSTOMER_KIND_PERSON);
  create.mutable_customer()->set_category(identify::v1::CUSTOMER_CATEGORY_CONSUMER);
  create.mutable_customer()->set_display_name(name);
  identify::v1::CreateCustomerResponse created;
  const grpc::Status status = customers->CreateCustomer(As().get(), create, &created);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return created.customer().customer_id();
}

sv1::TierPolicy Policy(const std::string& tier, int priority, const std::string& sla_class) {
  sv1::TierPolicy policy;
  policy.set_tier(tier);
  policy.set_priority(priority);
  policy.set_sla_class(sla_class);
  policy.set_contact_channel(sv1::CONTACT_CHANNEL_KEY_ACCOUNT_MANAGER);
  policy.add_benefits("free delivery");
  return policy;
}

grpc::Status SetPolicy(const sv1::TierPolicy& policy, sv1::TierPolicy* stored = nullptr) {
  sv1::SetTierPolicyRequest request;
  *request.mutable_policy() = policy;
  sv1::SetTierPolicyResponse response;
  const grpc::Status status = Segment()->SetTierPolicy(As().get(), request, &response);
  if (stored != nullptr) *stored = response.policy();
  return status;
}

grpc::Status GetPolicy(const std::string& tier, sv1::TierPolicy* policy = nullptr) {
  sv1::GetTierPolicyRequest request;
  request.set_tier(tier);
  sv1::GetTierPolicyResponse response;
  const grpc::Status status = Segment()->GetTierPolicy(As().get(), request, &response);
  if (policy != nullptr) *policy = response.policy();
  return status;
}

grpc::Status Assign(const std::string& customer_id, const std::string& tier,
                    const std::string& reason, sv1::CustomerTier* assigned = nullptr) {
  sv1::AssignCustomerTierRequest request;
  request.mutable_tier()->set_customer_id(customer_id);
  request.mutable_tier()->set_tier(tier);
  request.mutable_tier()->set_reason(reason);
  sv1::AssignCustomerTierResponse response;
  const grpc::Status status = Segment()->AssignCustomerTier(As().get(), request, &response);
  if (assigned != nullptr) *assigned = response.tier();
  return status;
}

grpc::Status GetTier(const std::string& customer_id, sv1::GetCustomerTierResponse* tier) {
  sv1::GetCustomerTierRequest request;
  request.set_customer_id(customer_id);
  return Segment()->GetCustomerTier(As().get(), request, tier);
}

grpc::Status GetJob(const std::string& job_id, sv1::RecomputeJob* job) {
  sv1::GetRecomputeJobRequest request;
  request.set_job_id(job_id);
  sv1::GetRecomputeJobResponse response;
  const grpc::Status status = Segment()->GetRecomputeJob(As().get(), request, &response);
  *job = response.job();
  return status;
}

grpc::Status GetValue(const std::string& customer_id, sv1::CustomerValue* value) {
  sv1::GetCustomerValueRequest request;
  request.set_customer_id(customer_id);
  sv1::GetCustomerValueResponse response;
  const grpc::Status status = Segment()->GetCustomerValue(As().get(), request, &response);
  *value = response.value();
  return status;
}

// Starts a recompute as soon as no other runs (a shared suite may be
// recomputing already); the job as started.
sv1::RecomputeJob StartRecomputeWhenIdle() {
  sv1::StartRecomputeResponse started;
  grpc::Status status;
  EXPECT_TRUE(Eventually(
      [&] {
        status = Segment()->StartRecompute(As().get(), {}, &started);
        if (status.ok()) return true;
        if (status.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
          ExpectError(status, grpc::StatusCode::FAILED_PRECONDITION, "RECOMPUTE_RUNNING", kDomain);
          return false;
        }
        ADD_FAILURE() << "StartRecompute: " << status.error_message();
        return true;
      },
      kRecomputeWait))
      << status.error_message();
  return started.job();
}

// The job once it has left STATE_RUNNING.
sv1::RecomputeJob AwaitJob(const std::string& job_id) {
  sv1::RecomputeJob job;
  EXPECT_TRUE(Eventually(
      [&] {
        const grpc::Status status = GetJob(job_id, &job);
        EXPECT_TRUE(status.ok()) << status.error_message();
        return !status.ok() || job.state() != sv1::RecomputeJob::STATE_RUNNING;
      },
      kRecomputeWait))
      << "recompute " << job_id << " still running";
  return job;
}

TEST(SegmentContract, TierPolicyIsCreatedReplacedAndRead) {
  const std::string tier = UniqueTier();
  sv1::TierPolicy stored;
  ASSERT_TRUE(SetPolicy(Policy(tier, 900, "premium"), &stored).ok());
  EXPECT_EQ(stored.tier(), tier);
  EXPECT_EQ(stored.priority(), 900);
  EXPECT_TRUE(stored.has_update_time());
  sv1::TierPolicy read;
  ASSERT_TRUE(GetPolicy(tier, &read).ok());
  EXPECT_EQ(read.priority(), 900);
  EXPECT_EQ(read.sla_class(), "premium");
  EXPECT_EQ(read.contact_channel(), sv1::CONTACT_CHANNEL_KEY_ACCOUNT_MANAGER);
  EXPECT_EQ(std::vector<std::string>(read.benefits().begin(), read.benefits().end()),
            std::vector<std::string>{"free delivery"});

  // Setting it again replaces the whole policy, benefits included.
  sv1::TierPolicy replacement = Policy(tier, 10, "basic");
  replacement.set_contact_channel(sv1::CONTACT_CHANNEL_EMAIL);
  replacement.clear_benefits();
  replacement.add_benefits("birthday gift");
  replacement.add_benefits("priority line");
  ASSERT_TRUE(SetPolicy(replacement).ok());
  ASSERT_TRUE(GetPolicy(tier, &read).ok());
  EXPECT_EQ(read.priority(), 10);
  EXPECT_EQ(read.sla_class(), "basic");
  EXPECT_EQ(read.contact_channel(), sv1::CONTACT_CHANNEL_EMAIL);
  EXPECT_EQ(std::vector<std::string>(read.benefits().begin(), read.benefits().end()),
            (std::vector<std::string>{"birthday gift", "priority line"}));
}

TEST(SegmentContract, UnsetTierPolicyIsNotFound) {
  const grpc::Status status = GetPolicy(UniqueTier());
  ExpectError(status, grpc::StatusCode::NOT_FOUND, "TIER_POLICY_NOT_FOUND", kDomain);
  ExpectInvalidField(GetPolicy("Not-A-Tier"), "tier");
}

TEST(SegmentContract, BadTierPoliciesAreInvalidArgument) {
  const std::string tier = UniqueTier();
  const std::vector<std::pair<std::string, std::function<void(sv1::TierPolicy&)>>> cases = {
      {"policy.tier", [](sv1::TierPolicy& p) { p.set_tier("Gold"); }},
      {"policy.tier", [](sv1::TierPolicy& p) { p.set_tier("1gold"); }},
      {"policy.tier", [](sv1::TierPolicy& p) { p.set_tier(std::string(33, 'g')); }},
      {"policy.priority", [](sv1::TierPolicy& p) { p.set_priority(1001); }},
      {"policy.priority", [](sv1::TierPolicy& p) { p.set_priority(-1); }},
      {"policy.sla_class", [](sv1::TierPolicy& p) { p.clear_sla_class(); }},
      {"policy.sla_class", [](sv1::TierPolicy& p) { p.set_sla_class(std::string(65, 's')); }},
      {"policy.contact_channel", [](sv1::TierPolicy& p) { p.clear_contact_channel(); }},
      {"policy.contact_channel",
       [](sv1::TierPolicy& p) { p.set_contact_channel(static_cast<sv1::ContactChannel>(42)); }},
      {"policy.benefits",
       [](sv1::TierPolicy& p) {
         for (int i = 0; i < 51; ++i) p.add_benefits("benefit");
       }},
      {"policy.benefits[1]", [](sv1::TierPolicy& p) { p.add_benefits(" "); }},
      {"policy.benefits[0]", [](sv1::TierPolicy& p) { p.set_benefits(0, std::string(201, 'b')); }},
  };
  for (const auto& [field, spoil] : cases) {
    SCOPED_TRACE(field);
    sv1::TierPolicy policy = Policy(tier, 100, "standard");
    spoil(policy);
    ExpectInvalidField(SetPolicy(policy), field);
  }
  // Nothing was written.
  ExpectError(GetPolicy(tier), grpc::StatusCode::NOT_FOUND, "TIER_POLICY_NOT_FOUND", kDomain);
}

// A customer without a tier, then in one with a policy, then (by hand) in one
// without: the tier always comes with its policy when there is one.
TEST(SegmentContract, CustomerTierIsAssignedAndReadWithItsPolicy) {
  const std::string customer = NewCustomer("Tier Holder");
  sv1::GetCustomerTierResponse read;
  const grpc::Status none = GetTier(customer, &read);
  ExpectError(none, grpc::StatusCode::NOT_FOUND, "TIER_NOT_ASSIGNED", kDomain);
  EXPECT_EQ(ErrorMetadata(none)["customer_id"], customer);

  const std::string vip = UniqueTier(), plain = UniqueTier();
  ASSERT_TRUE(SetPolicy(Policy(vip, 900, "premium")).ok());
  sv1::CustomerTier assigned;
  ASSERT_TRUE(Assign(customer, vip, "key account since 2019", &assigned).ok());
  EXPECT_EQ(assigned.customer_id(), customer);
  EXPECT_EQ(assigned.tier(), vip);
  EXPECT_EQ(assigned.reason(), "key account since 2019");
  ASSERT_TRUE(assigned.has_since());
  ASSERT_TRUE(GetTier(customer, &read).ok());
  EXPECT_EQ(read.tier().tier(), vip);
  EXPECT_EQ(read.tier().reason(), "key account since 2019");
  EXPECT_EQ(read.tier().since().seconds(), assigned.since().seconds());
  EXPECT_EQ(read.policy().tier(), vip);
  EXPECT_EQ(read.policy().priority(), 900);
  EXPECT_EQ(read.policy().sla_class(), "premium");

  // The tier it already has: nothing changes, the first assignment stands.
  sv1::CustomerTier again;
  ASSERT_TRUE(Assign(customer, vip, "another reason", &again).ok());
  EXPECT_EQ(again.reason(), "key account since 2019");
  EXPECT_EQ(again.since().seconds(), assigned.since().seconds());

  // A tier without a policy: the tier, and no policy.
  ASSERT_TRUE(Assign(customer, plain, "downgraded by the account manager").ok());
  ASSERT_TRUE(GetTier(customer, &read).ok());
  EXPECT_EQ(read.tier().tier(), plain);
  EXPECT_EQ(read.tier().reason(), "downgraded by the account manager");
  EXPECT_FALSE(read.has_policy());
}

TEST(SegmentContract, BadTierAssignmentsAreInvalidArgument) {
  const std::string customer = NewCustomer("Bad Tier");
  const std::string tier = UniqueTier();
  ExpectInvalidField(Assign("not-a-customer", tier, "why"), "tier.customer_id");
  ExpectInvalidField(Assign(customer, "VIP", "why"), "tier.tier");
  ExpectInvalidField(Assign(customer, "", "why"), "tier.tier");
  ExpectInvalidField(Assign(customer, tier, ""), "tier.reason");
  ExpectInvalidField(Assign(customer, tier, std::string(501, 'r')), "tier.reason");
  sv1::GetCustomerTierResponse read;
  ExpectInvalidField(GetTier("short", &read), "customer_id");
  // Nothing was assigned.
  ExpectError(GetTier(customer, &read), grpc::StatusCode::NOT_FOUND, "TIER_NOT_ASSIGNED", kDomain);
}

// A purchase recorded in loyalty and a complaint filed in complaints reach
// segment through their change feeds: a recompute values the customer, and
// the complaint counters are live.
TEST(SegmentContract, RecomputeValuesACustomerFromTheChangeFeeds) {
  const std::string customer = NewCustomer("Valued Buyer");
  auto loyalty = loyalty::v1::LoyaltyService::NewStub(Suite().loyalty());
  loyalty::v1::CreateProgramRequest program;
  program.set_request_id(Suite().Unique("seg-program"));
  program.mutable_program()->set_display_name("Segment Club");
  program.mutable_program()->set_currency_code("CNY");
  program.mutable_program()->set_points_per_currency_unit(1);
  loyalty::v1::CreateProgramResponse program_made;
  ASSERT_TRUE(loyalty->CreateProgram(As().get(), program, &program_made).ok());
  loyalty::v1::EnrollMemberRequest enroll;
  enroll.set_request_id(Suite().Unique("seg-enroll"));
  enroll.set_program_id(program_made.program().program_id());
  enroll.set_customer_id(customer);
  loyalty::v1::EnrollMemberResponse enrolled;
  ASSERT_TRUE(loyalty->EnrollMember(As().get(), enroll, &enrolled).ok());
  loyalty::v1::RecordPurchaseRequest buy;
  buy.mutable_purchase()->set_member_id(enrolled.member().member_id());
  buy.mutable_purchase()->set_source_transaction_id(Suite().Unique("seg-till"));
  auto* line = buy.mutable_purchase()->add_lines();
  line->set_sku("tea");
  line->set_quantity(1);
  line->set_amount_minor(12345);
  loyalty::v1::RecordPurchaseResponse bought;
  const grpc::Status purchase = loyalty->RecordPurchase(As().get(), buy, &bought);
  ASSERT_TRUE(purchase.ok()) << purchase.error_message();

  // Never valued yet.
  sv1::CustomerValue value;
  const grpc::Status before = GetValue(customer, &value);
  ExpectError(before, grpc::StatusCode::NOT_FOUND, "VALUE_NOT_COMPUTED", kDomain);
  EXPECT_EQ(ErrorMetadata(before)["customer_id"], customer);

  // Recompute until one has covered the purchase (the feed is followed
  // asynchronously).
  sv1::RecomputeJob job;
  ASSERT_TRUE(Eventually(
      [&] {
        const sv1::RecomputeJob started = StartRecomputeWhenIdle();
        EXPECT_EQ(started.state(), sv1::RecomputeJob::STATE_RUNNING);
        EXPECT_FALSE(started.job_id().empty());
        job = AwaitJob(started.job_id());
        EXPECT_EQ(job.state(), sv1::RecomputeJob::STATE_SUCCEEDED) << job.error();
        return GetValue(customer, &value).ok() && value.frequency() == 1;
      },
      kRecomputeWait));
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  EXPECT_EQ(absl::CivilDay(job.as_of().year(), job.as_of().month(), job.as_of().day()), today);
  EXPECT_TRUE(job.has_start_time());
  EXPECT_TRUE(job.has_end_time());
  EXPECT_EQ(job.customers_written(), job.customers_total());
  EXPECT_GE(job.customers_total(), 1);
  int64_t pyramid_customers = 0;
  double shares = 0;
  for (const sv1::TierShare& share : job.pyramid()) {
    pyramid_customers += share.customers();
    shares += share.value_share();
  }
  EXPECT_EQ(pyramid_customers, job.customers_total());
  EXPECT_NEAR(shares, 1.0, 1e-6);

  EXPECT_EQ(value.customer_id(), customer);
  EXPECT_EQ(value.frequency(), 1);
  EXPECT_EQ(value.monetary_minor(), 12345);
  EXPECT_EQ(value.recency_days(), 0);
  for (int score : {value.r(), value.f(), value.m()}) {
    EXPECT_GE(score, 1);
    EXPECT_LE(score, 5);
  }
  EXPECT_EQ(value.rfm_cell(), absl::StrCat(value.r(), value.f(), value.m()));
  EXPECT_FALSE(value.rfm_segment().empty());
  const std::set<std::string> tiers = {"vip", "key", "major", "ordinary", "small", "negative"};
  EXPECT_TRUE(tiers.contains(value.value_tier())) << value.value_tier();
  EXPECT_EQ(value.lifecycle_stage(), "exploration");  // a single purchase day
  // The value comes from a job that succeeded (this one, or a later one in a
  // shared suite).
  sv1::RecomputeJob valued_by;
  ASSERT_TRUE(GetJob(value.job_id(), &valued_by).ok());
  EXPECT_EQ(valued_by.state(), sv1::RecomputeJob::STATE_SUCCEEDED);
  EXPECT_EQ(value.complaints_filed(), 0);

  // A complaint filed for the customer shows at once through complaints' feed.
  auto complaints = complaints::v1::ComplaintsService::NewStub(Suite().complaints());
  complaints::v1::FileComplaintRequest file;
  file.set_request_id(Suite().Unique("seg-complaint"));
  file.mutable_complaint()->set_customer_id(customer);
  file.mutable_complaint()->set_channel(complaints::v1::CHANNEL_WEB);
  file.mutable_complaint()->set_subject("cold tea");
  file.mutable_complaint()->set_description("the tea arrived cold");
  complaints::v1::FileComplaintResponse filed;
  ASSERT_TRUE(complaints->FileComplaint(As().get(), file, &filed).ok());
  EXPECT_TRUE(Eventually([&] {
    return GetValue(customer, &value).ok() && value.complaints_filed() == 1;
  })) << "complaints_filed is "
      << value.complaints_filed();
  EXPECT_EQ(value.complaints_open(), 1);
  EXPECT_FALSE(value.has_complaint_satisfaction());
}

// One job at a time: a second start is refused naming the running job, unless
// the first has already finished.
TEST(SegmentContract, OneRecomputeRunsAtATime) {
  const sv1::RecomputeJob first = StartRecomputeWhenIdle();
  ASSERT_FALSE(first.job_id().empty());
  sv1::StartRecomputeResponse second;
  const grpc::Status status = Segment()->StartRecompute(As().get(), {}, &second);
  if (status.ok()) {
    sv1::RecomputeJob job;
    ASSERT_TRUE(GetJob(first.job_id(), &job).ok());
    EXPECT_NE(job.state(), sv1::RecomputeJob::STATE_RUNNING);
    EXPECT_NE(second.job().job_id(), first.job_id());
    AwaitJob(second.job().job_id());
  } else {
    ExpectError(status, grpc::StatusCode::FAILED_PRECONDITION, "RECOMPUTE_RUNNING", kDomain);
    const std::string running = ErrorMetadata(status)["job_id"];
    EXPECT_FALSE(running.empty());
    if (Suite().private_suite()) {
      EXPECT_EQ(running, first.job_id());
    }
  }
  const sv1::RecomputeJob done = AwaitJob(first.job_id());
  EXPECT_EQ(done.state(), sv1::RecomputeJob::STATE_SUCCEEDED) << done.error();
}

TEST(SegmentContract, BadRecomputeAndValueRequestsAreRefused) {
  sv1::StartRecomputeRequest start;
  start.mutable_as_of()->set_year(2025);
  start.mutable_as_of()->set_month(2);
  start.mutable_as_of()->set_day(30);
  sv1::StartRecomputeResponse started;
  ExpectInvalidField(Segment()->StartRecompute(As().get(), start, &started), "as_of");
  start.mutable_as_of()->set_month(13);
  start.mutable_as_of()->set_day(1);
  ExpectInvalidField(Segment()->StartRecompute(As().get(), start, &started), "as_of");

  sv1::RecomputeJob job;
  ExpectInvalidField(GetJob("job-1", &job), "job_id");
  // Not documented in the proto; what the service answers.
  const grpc::Status unknown = GetJob("01ARZ3NDEKTSV4RRFFQ69G5FAV", &job);
  ExpectError(unknown, grpc::StatusCode::NOT_FOUND, "JOB_NOT_FOUND", kDomain);

  sv1::CustomerValue value;
  ExpectInvalidField(GetValue("", &value), "customer_id");
  ExpectError(GetValue("01ARZ3NDEKTSV4RRFFQ69G5FAV", &value), grpc::StatusCode::NOT_FOUND,
              "VALUE_NOT_COMPUTED", kDomain);
}

TEST(SegmentContract, CallsWithoutATokenAreDenied) {
  if (!Suite().secured()) GTEST_SKIP() << "plaintext suite: no authorisation to check";
  sv1::GetTierPolicyRequest request;
  request.set_tier("vip");
  sv1::GetTierPolicyResponse response;
  const grpc::Status denied =
      Segment()->GetTierPolicy(As(Caller::kNoToken).get(), request, &response);
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED) << denied.error_message();
}

}  // namespace
}  // namespace crm::contract
