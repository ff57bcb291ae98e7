#ifndef CRM_COMMON_JWT_VERIFIER_H_
#define CRM_COMMON_JWT_VERIFIER_H_

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace crm {

// What a verified bearer token says about its holder.
struct TokenClaims {
  std::string subject;  // "sub": who (a user or an application)
  std::string role;     // "role": what the authorisation policy knows them as
  absl::Time expires;
};

// Verifies ES256-signed JWTs (libjwt) against one public key: the signature,
// the algorithm (no "none", no other), "iss" and "aud", "exp" (required) and
// "nbf", and that "sub" and "role" are present. Thread-safe.
class JwtVerifier {
 public:
  static absl::StatusOr<JwtVerifier> FromFile(const std::string& public_key_file,
                                              std::string issuer, std::string audience);

  // UNAUTHENTICATED with reason TOKEN_INVALID / TOKEN_EXPIRED and a message
  // that names the failed check (never the token).
  absl::StatusOr<TokenClaims> Verify(const std::string& token, absl::Time now) const;

  // The same, remembering tokens that verified (up to 10,000, keyed by the
  // whole token) so that a client's calls after its first cost a lookup, not
  // a signature check; expiry is still checked on every call.
  absl::StatusOr<TokenClaims> VerifyCached(const std::string& token, absl::Time now) const;

 private:
  JwtVerifier(std::string key, std::string issuer, std::string audience)
      : key_(std::move(key)), issuer_(std::move(issuer)), audience_(std::move(audience)) {}

  std::string key_;
  std::string issuer_;
  std::string audience_;
  struct Cache {
    absl::Mutex mu;
    absl::flat_hash_map<std::string, TokenClaims> verified ABSL_GUARDED_BY(mu);
  };
  std::shared_ptr<Cache> cache_ = std::make_shared<Cache>();
};

// Signs a token (for crm-token and tests): ES256 with the PEM private key.
absl::StatusOr<std::string> SignToken(const std::string& private_key_pem, const std::string& issuer,
                                      const std::string& audience, const TokenClaims& claims,
                                      absl::Time issued);

}  // namespace crm

#endif  // CRM_COMMON_JWT_VERIFIER_H_
