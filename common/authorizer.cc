#include "common/authorizer.h"

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/errors.h"
#include "common/log.h"

ABSL_FLAG(std::string, authz_policy_file, "",
          "JSON authorisation policy: which services and roles may call which methods, and "
          "who may read personal data unmasked (needs mutual TLS)");
ABSL_FLAG(std::string, jwt_public_key_file, "",
          "PEM public key (EC P-256) that verifies callers' bearer tokens (ES256 JWTs)");
ABSL_FLAG(std::string, jwt_issuer, "crm", "Required \"iss\" of bearer tokens");
ABSL_FLAG(std::string, jwt_audience, "crm", "Required \"aud\" of bearer tokens");

namespace crm {
namespace {

constexpr char kBearer[] = "Bearer ";

std::optional<std::string> Bearer(absl::string_view header) {
  if (!absl::StartsWith(header, kBearer)) return std::nullopt;
  return std::string(header.substr(sizeof(kBearer) - 1));
}

}  // namespace

Authorizer::Authorizer(AuthzPolicy policy, std::optional<JwtVerifier> tokens,
                       prometheus::Registry* registry)
    : policy_(std::move(policy)), tokens_(std::move(tokens)) {
  if (registry != nullptr) {
    denied_ = &prometheus::BuildCounter()
                   .Name("crm_authz_denied_total")
                   .Help("Calls refused before their handler: UNAUTHENTICATED or PERMISSION_DENIED")
                   .Register(*registry);
  }
}

absl::StatusOr<std::vector<std::string>> Authorizer::Principals(
    const grpc::AuthContext& peer, std::optional<std::string> authorization) const {
  std::vector<std::string> principals;
  for (const auto& cn : peer.FindPropertyValues("x509_common_name")) {
    const std::string name(cn.data(), cn.size());
    if (absl::StartsWith(name, "crm-"))
      principals.push_back(absl::StrCat("service:", name.substr(4)));
  }
  if (authorization.has_value()) {
    auto token = Bearer(*authorization);
    if (!token.has_value()) {
      return Error(absl::StatusCode::kUnauthenticated, "TOKEN_INVALID",
                   "authorization metadata is not \"Bearer <token>\"");
    }
    if (!tokens_.has_value()) {
      return Error(absl::StatusCode::kUnauthenticated, "TOKEN_INVALID",
                   "this server accepts no bearer tokens (no --jwt_public_key_file)");
    }
    auto claims = tokens_->VerifyCached(*token, absl::Now());
    if (!claims.ok()) return claims.status();
    principals.push_back(absl::StrCat("role:", claims->role));
    principals.push_back(absl::StrCat("user:", claims->subject));
  }
  if (principals.empty()) {
    return Error(absl::StatusCode::kUnauthenticated, "NO_CREDENTIALS",
                 "no suite client certificate and no bearer token");
  }
  return principals;
}

grpc::Status Authorizer::Process(const InputMetadata& auth_metadata, grpc::AuthContext* context,
                                 OutputMetadata*, OutputMetadata*) {
  auto path = auth_metadata.find(":path");
  const std::string method =
      path == auth_metadata.end() ? "" : std::string(path->second.data(), path->second.size());
  if (method.empty()) return Deny(grpc::StatusCode::UNAUTHENTICATED, "?", "no method in the call");
  std::optional<std::string> authorization;
  if (auto header = auth_metadata.find("authorization"); header != auth_metadata.end()) {
    authorization = std::string(header->second.data(), header->second.size());
  }
  auto principals = Principals(*context, authorization);
  if (!principals.ok()) {
    return Deny(grpc::StatusCode::UNAUTHENTICATED, method,
                std::string(principals.status().message()));
  }
  if (!policy_.Allows(method, *principals)) {
    return Deny(grpc::StatusCode::PERMISSION_DENIED, method,
                absl::StrCat(absl::StrJoin(*principals, ", "), " may not call ", method.substr(1)));
  }
  return grpc::Status::OK;
}

grpc::Status Authorizer::Deny(grpc::StatusCode code, const std::string& method,
                              const std::string& why) {
  const std::string code_name =
      code == grpc::StatusCode::UNAUTHENTICATED ? "UNAUTHENTICATED" : "PERMISSION_DENIED";
  if (denied_ != nullptr) denied_->Add({{"method", method}, {"code", code_name}}).Increment();
  log::Warn("call denied", {{"method", method}, {"code", code_name}, {"reason", why}});
  return grpc::Status(code, why);
}

std::vector<std::string> Authorizer::PrincipalsOf(const grpc::ServerContext& context) const {
  std::optional<std::string> authorization;
  const auto& metadata = context.client_metadata();
  if (auto header = metadata.find("authorization"); header != metadata.end()) {
    authorization = std::string(header->second.data(), header->second.size());
  }
  auto principals = Principals(*context.auth_context(), authorization);
  return principals.ok() ? *std::move(principals) : std::vector<std::string>{};
}

bool Authorizer::MayViewFull(const grpc::ServerContext& context) const {
  return policy_.MayViewFull(PrincipalsOf(context));
}

absl::StatusOr<std::shared_ptr<Authorizer>> AuthorizerFromFlags(const TlsConfig& tls,
                                                                prometheus::Registry* registry) {
  const std::string policy_file = absl::GetFlag(FLAGS_authz_policy_file);
  const std::string key_file = absl::GetFlag(FLAGS_jwt_public_key_file);
  if (policy_file.empty()) {
    if (!key_file.empty()) {
      return Error(absl::StatusCode::kInvalidArgument, "BAD_AUTH_CONFIG",
                   "--jwt_public_key_file needs --authz_policy_file");
    }
    return nullptr;
  }
  if (!tls.enabled()) {
    return Error(absl::StatusCode::kInvalidArgument, "BAD_AUTH_CONFIG",
                 "--authz_policy_file needs mutual TLS (--tls_cert_file, --tls_key_file, "
                 "--tls_ca_file): identities and tokens must not travel in plaintext");
  }
  auto policy = AuthzPolicy::FromFile(policy_file);
  if (!policy.ok()) return policy.status();
  std::optional<JwtVerifier> tokens;
  if (!key_file.empty()) {
    auto verifier = JwtVerifier::FromFile(key_file, absl::GetFlag(FLAGS_jwt_issuer),
                                          absl::GetFlag(FLAGS_jwt_audience));
    if (!verifier.ok()) return verifier.status();
    tokens = *std::move(verifier);
  }
  return std::make_shared<Authorizer>(*std::move(policy), std::move(tokens), registry);
}

}  // namespace crm
