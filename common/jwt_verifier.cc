#include "common/jwt_verifier.h"

#include <jwt.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/errors.h"

namespace crm {
namespace {

struct JwtFree {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using Jwt = std::unique_ptr<jwt_t, JwtFree>;

absl::Status Invalid(absl::string_view why) {
  return Error(absl::StatusCode::kUnauthenticated, "TOKEN_INVALID",
               absl::StrCat("bearer token rejected: ", why));
}

std::string Grant(jwt_t* jwt, const char* name) {
  const char* value = jwt_get_grant(jwt, name);
  return value == nullptr ? "" : value;
}

}  // namespace

absl::StatusOr<JwtVerifier> JwtVerifier::FromFile(const std::string& public_key_file,
                                                  std::string issuer, std::string audience) {
  std::ifstream in(public_key_file);
  std::ostringstream key;
  key << in.rdbuf();
  if (!in || key.str().find("PUBLIC KEY") == std::string::npos) {
    return Error(
        absl::StatusCode::kInvalidArgument, "BAD_AUTH_CONFIG",
        absl::StrCat("--jwt_public_key_file: ", public_key_file, " holds no PEM public key"));
  }
  if (issuer.empty() || audience.empty()) {
    return Error(absl::StatusCode::kInvalidArgument, "BAD_AUTH_CONFIG",
                 "--jwt_issuer and --jwt_audience are required with --jwt_public_key_file");
  }
  return JwtVerifier(key.str(), std::move(issuer), std::move(audience));
}

absl::StatusOr<TokenClaims> JwtVerifier::Verify(const std::string& token, absl::Time now) const {
  jwt_t* raw = nullptr;
  if (jwt_decode(&raw, token.c_str(), reinterpret_cast<const unsigned char*>(key_.data()),
                 static_cast<int>(key_.size())) != 0 ||
      raw == nullptr) {
    return Invalid("malformed, or its signature does not verify");
  }
  Jwt jwt(raw);
  if (jwt_get_alg(jwt.get()) != JWT_ALG_ES256) return Invalid("not signed with ES256");
  if (Grant(jwt.get(), "iss") != issuer_) return Invalid("wrong issuer");
  if (Grant(jwt.get(), "aud") != audience_) return Invalid("wrong audience");
  errno = 0;
  const long exp = jwt_get_grant_int(jwt.get(), "exp");
  if (errno != 0 || exp <= 0) return Invalid("no expiry");
  if (absl::FromUnixSeconds(exp) <= now) {
    return Error(absl::StatusCode::kUnauthenticated, "TOKEN_EXPIRED",
                 "bearer token rejected: expired");
  }
  errno = 0;
  const long nbf = jwt_get_grant_int(jwt.get(), "nbf");
  if (errno == 0 && absl::FromUnixSeconds(nbf) > now) return Invalid("not valid yet");
  TokenClaims claims{Grant(jwt.get(), "sub"), Grant(jwt.get(), "role"), absl::FromUnixSeconds(exp)};
  if (claims.subject.empty() || claims.role.empty()) return Invalid("no sub or no role");
  return claims;
}

absl::StatusOr<TokenClaims> JwtVerifier::VerifyCached(const std::string& token,
                                                      absl::Time now) const {
  {
    absl::MutexLock lock(&cache_->mu);
    auto hit = cache_->verified.find(token);
    if (hit != cache_->verified.end()) {
      if (hit->second.expires > now) return hit->second;
      cache_->verified.erase(hit);
    }
  }
  auto claims = Verify(token, now);
  if (claims.ok()) {
    absl::MutexLock lock(&cache_->mu);
    if (cache_->verified.size() >= 10000) cache_->verified.clear();
    cache_->verified.emplace(token, *claims);
  }
  return claims;
}

absl::StatusOr<std::string> SignToken(const std::string& private_key_pem, const std::string& issuer,
                                      const std::string& audience, const TokenClaims& claims,
                                      absl::Time issued) {
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) return absl::InternalError("jwt_new failed");
  Jwt jwt(raw);
  bool ok = jwt_add_grant(raw, "iss", issuer.c_str()) == 0 &&
            jwt_add_grant(raw, "aud", audience.c_str()) == 0 &&
            jwt_add_grant(raw, "sub", claims.subject.c_str()) == 0 &&
            jwt_add_grant(raw, "role", claims.role.c_str()) == 0 &&
            jwt_add_grant_int(raw, "iat", absl::ToUnixSeconds(issued)) == 0 &&
            jwt_add_grant_int(raw, "exp", absl::ToUnixSeconds(claims.expires)) == 0 &&
            jwt_set_alg(raw, JWT_ALG_ES256,
                        reinterpret_cast<const unsigned char*>(private_key_pem.data()),
                        static_cast<int>(private_key_pem.size())) == 0;
  if (!ok) return absl::InvalidArgumentError("cannot sign: the key is not an EC P-256 private key");
  char* encoded = jwt_encode_str(raw);
  if (encoded == nullptr) return absl::InvalidArgumentError("cannot sign with this key");
  std::string token(encoded);
  free(encoded);
  return token;
}

}  // namespace crm
