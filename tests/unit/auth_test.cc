// The authorisation policy's precedence and validation, and the bearer-token
// checks, including tokens forged without a signature.
#include <cstdlib>
#include <fstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/authz_policy.h"
#include "common/jwt_verifier.h"
#include "gtest/gtest.h"

namespace crm {
namespace {

TEST(AuthzPolicyTest, TheMostSpecificRuleDecides) {
  auto policy = AuthzPolicy::FromJson(R"({
    "rules": {
      "crm.identify.v1.IdentifyService/EraseCustomer": ["role:privacy_officer"],
      "crm.identify.v1.IdentifyService/*": ["service:loyalty", "role:agent"],
      "grpc.health.v1.Health/*": ["*"],
      "*": ["role:admin"]
    },
    "full_view": ["role:privacy_officer"]})");
  ASSERT_TRUE(policy.ok()) << policy.status();
  const std::string erase = "/crm.identify.v1.IdentifyService/EraseCustomer";
  const std::string get = "/crm.identify.v1.IdentifyService/GetCustomer";
  EXPECT_TRUE(policy->Allows(get, {"service:loyalty"}));
  EXPECT_TRUE(policy->Allows(get, {"service:client", "role:agent", "user:bob"}));
  EXPECT_FALSE(policy->Allows(get, {"role:admin"}));    // the service's rule wins over "*"
  EXPECT_FALSE(policy->Allows(erase, {"role:agent"}));  // the method's rule wins over the service's
  EXPECT_TRUE(policy->Allows(erase, {"role:privacy_officer"}));
  EXPECT_TRUE(policy->Allows("/crm.loyalty.v1.LoyaltyService/GetMember", {"role:admin"}));
  EXPECT_FALSE(policy->Allows("/crm.loyalty.v1.LoyaltyService/GetMember", {"role:agent"}));
  EXPECT_TRUE(policy->Allows("/grpc.health.v1.Health/Check", {"service:client"}));
  EXPECT_FALSE(policy->Allows("/grpc.health.v1.Health/Check", {}));  // "*" needs someone
  EXPECT_TRUE(policy->MayViewFull({"role:privacy_officer"}));
  EXPECT_FALSE(policy->MayViewFull({"role:agent", "service:loyalty"}));
}

TEST(AuthzPolicyTest, NoRuleAdmitsNoOne) {
  auto policy =
      AuthzPolicy::FromJson(R"({"rules": {"crm.segment.v1.SegmentService/*": ["role:a"]}})");
  ASSERT_TRUE(policy.ok());
  EXPECT_FALSE(policy->Allows("/crm.loyalty.v1.LoyaltyService/GetMember", {"role:a"}));
  EXPECT_FALSE(policy->MayViewFull({"role:a"}));
}

TEST(AuthzPolicyTest, MalformedPoliciesAreRefusedWithTheReason) {
  for (const auto& [text, says] : std::vector<std::pair<std::string, std::string>>{
           {"[]", "not a JSON object"},
           {R"({"rulez": {}})", "unknown key 'rulez'"},
           {R"({"rules": {"GetMember": ["role:a"]}})", "is not pkg.Service/Method"},
           {R"({"rules": {"a.B/C": "role:a"}})", "expected a list"},
           {R"({"rules": {"a.B/C": ["admin"]}})", "'admin' is not *, service:, role: or user:"},
       }) {
    auto policy = AuthzPolicy::FromJson(text);
    ASSERT_FALSE(policy.ok()) << text;
    EXPECT_NE(policy.status().message().find(says), std::string::npos) << policy.status();
  }
}

class JwtTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(::testing::TempDir(), "/jwt-", getpid());
    ASSERT_EQ(
        std::system(absl::StrCat("mkdir -p ", dir_, " && cd ", dir_,
                                 " && openssl ecparam -name prime256v1 -genkey -noout -out a.key"
                                 " && openssl ec -in a.key -pubout -out a.pub 2>/dev/null"
                                 " && openssl ecparam -name prime256v1 -genkey -noout -out b.key")
                        .c_str()),
        0);
    auto verifier = JwtVerifier::FromFile(dir_ + "/a.pub", "crm", "crm");
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    verifier_.emplace(*std::move(verifier));
  }
  std::string Key(const std::string& name) {
    std::ifstream in(absl::StrCat(dir_, "/", name));
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  std::string Sign(const std::string& key, const std::string& issuer, absl::Time expires,
                   const std::string& role = "agent") {
    auto token =
        SignToken(Key(key), issuer, "crm", {"alice", role, expires}, now_ - absl::Minutes(1));
    EXPECT_TRUE(token.ok()) << token.status();
    return token.value_or("");
  }

  std::string dir_;
  absl::Time now_ = absl::Now();
  std::optional<JwtVerifier> verifier_;
};

TEST_F(JwtTest, AGoodTokenNamesItsHolderAndRole) {
  auto claims = verifier_->Verify(Sign("a.key", "crm", now_ + absl::Hours(1)), now_);
  ASSERT_TRUE(claims.ok()) << claims.status();
  EXPECT_EQ(claims->subject, "alice");
  EXPECT_EQ(claims->role, "agent");
}

TEST_F(JwtTest, ARememberedTokenStillExpires) {
  const std::string token = Sign("a.key", "crm", now_ + absl::Hours(1));
  ASSERT_TRUE(verifier_->VerifyCached(token, now_).ok());
  ASSERT_TRUE(verifier_->VerifyCached(token, now_ + absl::Minutes(59)).ok());
  auto later = verifier_->VerifyCached(token, now_ + absl::Hours(2));
  ASSERT_FALSE(later.ok());
  EXPECT_NE(later.status().message().find("expired"), std::string::npos) << later.status();
  EXPECT_FALSE(verifier_->VerifyCached(Sign("b.key", "crm", now_ + absl::Hours(1)), now_).ok());
}

TEST_F(JwtTest, ForgedExpiredOrForeignTokensAreRefused) {
  auto refused = [&](const std::string& token, const std::string& says) {
    auto claims = verifier_->Verify(token, now_);
    ASSERT_FALSE(claims.ok()) << says;
    EXPECT_EQ(claims.status().code(), absl::StatusCode::kUnauthenticated);
    EXPECT_NE(claims.status().message().find(says), std::string::npos) << claims.status();
  };
  refused(Sign("b.key", "crm", now_ + absl::Hours(1)), "signature does not verify");
  refused(Sign("a.key", "elsewhere", now_ + absl::Hours(1)), "wrong issuer");
  refused(Sign("a.key", "crm", now_ - absl::Seconds(1)), "expired");
  refused(Sign("a.key", "crm", now_ + absl::Hours(1), ""), "no sub or no role");
  refused("not.a.token", "malformed");
  // Unsigned ("alg": "none") with a valid-looking payload.
  const std::string header = absl::WebSafeBase64Escape(R"({"alg":"none","typ":"JWT"})");
  const std::string payload = absl::WebSafeBase64Escape(
      absl::StrCat(R"({"iss":"crm","aud":"crm","sub":"mallory","role":"admin","exp":)",
                   absl::ToUnixSeconds(now_ + absl::Hours(1)), "}"));
  refused(absl::StrCat(header, ".", payload, "."), "");
  // A real token with its signature cut off.
  const std::string good = Sign("a.key", "crm", now_ + absl::Hours(1));
  refused(good.substr(0, good.rfind('.') + 1), "");
}

}  // namespace
}  // namespace crm
