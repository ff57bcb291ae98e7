// Every call knows its caller: a client certificate of the suite's CA
// ("service:<name>") and a bearer token ("role:<role>"), checked against the
// authorisation policy before any handler runs; identify's unmasked view only
// for the roles the policy names, and audited.
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/jwt_verifier.h"
#include "crm/identify/v1/identify.grpc.pb.h"
#include "crm/segment/v1/segment.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "tests/contract/service_process.h"

namespace crm {
namespace {

using testing::ServiceProcess;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Certificates, token keys and a policy in a fresh directory.
class Credentials {
 public:
  explicit Credentials(const std::string& policy)
      : dir_(absl::StrCat(::testing::TempDir(), "/trust-", getpid(), "-", counter_++)) {
    EXPECT_EQ(
        std::system(absl::StrCat(CRM_SOURCE_DIR, "/tools/dev-certs.sh ", dir_, " >/dev/null && ",
                                 CRM_SOURCE_DIR, "/tools/dev-certs.sh ", dir_, "-other >/dev/null")
                        .c_str()),
        0);
    std::ofstream(dir_ + "/policy.json") << policy;
  }

  std::vector<std::string> ServerFlags(const std::string& service) const {
    return {absl::StrCat("--tls_cert_file=", dir_, "/", service, ".crt"),
            absl::StrCat("--tls_key_file=", dir_, "/", service, ".key"),
            absl::StrCat("--tls_ca_file=", dir_, "/ca.crt"),
            absl::StrCat("--authz_policy_file=", dir_, "/policy.json"),
            absl::StrCat("--jwt_public_key_file=", dir_, "/jwt.pub")};
  }
  // A channel presenting the certificate of `name` ("client", "complaints", ...).
  std::shared_ptr<grpc::Channel> Channel(const std::string& address,
                                         const std::string& name) const {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = ReadFile(dir_ + "/ca.crt");
    options.pem_cert_chain = ReadFile(absl::StrCat(dir_, "/", name, ".crt"));
    options.pem_private_key = ReadFile(absl::StrCat(dir_, "/", name, ".key"));
    return grpc::CreateChannel(address, grpc::SslCredentials(options));
  }
  std::string Token(const std::string& role, absl::Duration ttl = absl::Hours(1),
                    bool other_key = false) const {
    auto token = SignToken(ReadFile(dir_ + (other_key ? "-other" : "") + "/jwt.key"), "crm", "crm",
                           {"alice", role, absl::Now() + ttl}, absl::Now() - absl::Minutes(1));
    EXPECT_TRUE(token.ok()) << token.status();
    return token.value_or("");
  }

 private:
  static inline int counter_ = 0;
  std::string dir_;
};

std::unique_ptr<grpc::ClientContext> As(const std::string& token = "") {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
  return context;
}

void ExpectDenied(const grpc::Status& status, grpc::StatusCode code, const std::string& says) {
  EXPECT_EQ(status.error_code(), code) << status.error_message();
  EXPECT_NE(status.error_message().find(says), std::string::npos) << status.error_message();
}

constexpr char kSegmentPolicy[] = R"({
  "rules": {
    "crm.segment.v1.SegmentService/GetCustomerTier": ["service:complaints", "role:agent", "role:admin"],
    "crm.segment.v1.SegmentService/*": ["role:admin"],
    "grpc.health.v1.Health/*": ["*"]
  }
})";

TEST(TrustedCallersTest, ThePolicyDecidesWhoCallsWhatBeforeAnyHandler) {
  Credentials trust(kSegmentPolicy);
  const int probe_port = testing::FreePort();
  auto flags = trust.ServerFlags("segment");
  flags.insert(flags.end(), {"--loyalty_target=", "--complaints_target=", "--identify_target=",
                             absl::StrCat("--health_listen=127.0.0.1:", probe_port)});
  ServiceProcess segment("segment", true, flags);
  auto probes = testing::FastReconnectChannel(absl::StrCat("127.0.0.1:", probe_port));
  ASSERT_TRUE(testing::WaitForHealth(probes.get(), "SERVING", absl::Seconds(20)))
      << segment.process().Log();
  auto app = segment::v1::SegmentService::NewStub(trust.Channel(segment.address(), "client"));
  auto complaints =
      segment::v1::SegmentService::NewStub(trust.Channel(segment.address(), "complaints"));

  segment::v1::SetTierPolicyRequest set;
  set.mutable_policy()->set_tier("vip");
  set.mutable_policy()->set_priority(900);
  set.mutable_policy()->set_sla_class("premium");
  set.mutable_policy()->set_contact_channel(segment::v1::CONTACT_CHANNEL_KEY_ACCOUNT_MANAGER);
  segment::v1::SetTierPolicyResponse set_done;
  ExpectDenied(app->SetTierPolicy(As().get(), set, &set_done), grpc::StatusCode::PERMISSION_DENIED,
               "service:client may not call crm.segment.v1.SegmentService/SetTierPolicy");
  ExpectDenied(app->SetTierPolicy(As(trust.Token("agent")).get(), set, &set_done),
               grpc::StatusCode::PERMISSION_DENIED, "role:agent, user:alice may not call");
  EXPECT_TRUE(app->SetTierPolicy(As(trust.Token("admin")).get(), set, &set_done).ok());

  segment::v1::GetCustomerTierRequest tier;
  tier.set_customer_id("01ARZ3NDEKTSV4RRFFQ69G5FAV");
  segment::v1::GetCustomerTierResponse tier_got;
  // Admitted: the handler answers (no tier assigned yet).
  EXPECT_EQ(complaints->GetCustomerTier(As().get(), tier, &tier_got).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(app->GetCustomerTier(As(trust.Token("agent")).get(), tier, &tier_got).error_code(),
            grpc::StatusCode::NOT_FOUND);
  ExpectDenied(complaints->SetTierPolicy(As().get(), set, &set_done),
               grpc::StatusCode::PERMISSION_DENIED, "service:complaints may not call");

  ExpectDenied(
      app->GetCustomerTier(As(trust.Token("agent", -absl::Minutes(5))).get(), tier, &tier_got),
      grpc::StatusCode::UNAUTHENTICATED, "expired");
  ExpectDenied(
      app->GetCustomerTier(As(trust.Token("admin", absl::Hours(1), true)).get(), tier, &tier_got),
      grpc::StatusCode::UNAUTHENTICATED, "signature does not verify");
  auto basic = As();
  basic->AddMetadata("authorization", "Basic YWxpY2U6c2VjcmV0");
  ExpectDenied(app->GetCustomerTier(basic.get(), tier, &tier_got),
               grpc::StatusCode::UNAUTHENTICATED, "not \"Bearer <token>\"");

  auto health = grpc::health::v1::Health::NewStub(trust.Channel(segment.address(), "client"));
  grpc::health::v1::HealthCheckResponse serving;
  EXPECT_TRUE(health->Check(As().get(), {}, &serving).ok());

  const std::string metrics = testing::HttpGet(segment.metrics_port(), "/metrics");
  EXPECT_NE(
      metrics.find("crm_authz_denied_total{code=\"PERMISSION_DENIED\",method=\"/crm.segment.v1."
                   "SegmentService/SetTierPolicy\"} 3"),
      std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("crm_authz_denied_total{code=\"UNAUTHENTICATED\""), std::string::npos);
  EXPECT_EQ(segment.process().Log().find(trust.Token("admin").substr(0, 40)), std::string::npos);
}

TEST(TrustedCallersTest, UnmaskedPersonalDataOnlyForThePolicysRolesAndAudited) {
  Credentials trust(R"({
    "rules": {"crm.identify.v1.IdentifyService/*": ["role:agent", "role:privacy_officer"]},
    "full_view": ["role:privacy_officer"]
  })");
  ServiceProcess identify("identify", true, trust.ServerFlags("identify"));
  auto stub = identify::v1::IdentifyService::NewStub(trust.Channel(identify.address(), "client"));
  const std::string agent = trust.Token("agent");
  identify::v1::CreateCustomerRequest create;
  create.set_request_id("c1");
  create.mutable_customer()->set_kind(identify::v1::CUSTOMER_KIND_PERSON);
  create.mutable_customer()->set_category(identify::v1::CUSTOMER_CATEGORY_CONSUMER);
  create.mutable_customer()->set_display_name("Zhang Wei");
  identify::v1::CreateCustomerResponse created;
  const absl::Time give_up = absl::Now() + absl::Seconds(20);
  grpc::Status status;
  do {  // until the service has its schema and serves
    status = stub->CreateCustomer(As(agent).get(), create, &created);
  } while (status.error_code() == grpc::StatusCode::UNAVAILABLE && absl::Now() < give_up);
  ASSERT_TRUE(status.ok()) << status.error_message() << identify.process().Log();

  identify::v1::GetCustomerRequest get;
  get.set_customer_id(created.customer().customer_id());
  get.set_view(identify::v1::CUSTOMER_VIEW_FULL);
  identify::v1::GetCustomerResponse got;
  EXPECT_EQ(stub->GetCustomer(As(agent).get(), get, &got).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(stub->GetCustomer(As(trust.Token("privacy_officer")).get(), get, &got).ok());
  EXPECT_EQ(got.customer().display_name(), "Zhang Wei");
  EXPECT_EQ(identify.db().Query("SELECT principal FROM access_audit"),
            "service:client role:privacy_officer user:alice");  // the app and its user
  get.set_view(identify::v1::CUSTOMER_VIEW_MASKED);
  ASSERT_TRUE(stub->GetCustomer(As(agent).get(), get, &got).ok());
  EXPECT_NE(got.customer().display_name(), "Zhang Wei");
}

TEST(TrustedCallersTest, APolicyWithoutMutualTlsIsRefusedAtStart) {
  Credentials trust(kSegmentPolicy);
  auto flags = trust.ServerFlags("segment");
  flags.erase(flags.begin(), flags.begin() + 3);  // no TLS
  std::vector<std::string> argv = {testing::BuildPath("services/segment/crm-segment"),
                                   "--db_dsn=mysql://u@h/s"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  testing::Subprocess bad(argv, ::testing::TempDir() + "/policy-no-tls.log");
  EXPECT_EQ(bad.Wait(absl::Seconds(10)), 2);
  EXPECT_NE(bad.Log().find("BAD_AUTH_CONFIG"), std::string::npos) << bad.Log();
}

}  // namespace
}  // namespace crm
