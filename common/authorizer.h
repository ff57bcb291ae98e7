#ifndef CRM_COMMON_AUTHORIZER_H_
#define CRM_COMMON_AUTHORIZER_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/authz_policy.h"
#include "common/jwt_verifier.h"
#include "common/tls.h"
#include "grpcpp/security/auth_metadata_processor.h"
#include "grpcpp/server_context.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/registry.h"

namespace crm {

// Authentication and authorisation of every call, in one place: the gRPC
// server's AuthMetadataProcessor, which runs before any handler.
//
// A caller is known by its client certificate (mutual TLS; CN crm-<name> is
// "service:<name>") and by its bearer token, "authorization: Bearer <JWT>"
// ("role:<role>", "user:<sub>"). A call without either is UNAUTHENTICATED; a
// bad or expired token is UNAUTHENTICATED naming the failed check; a caller
// the policy does not admit for the method is PERMISSION_DENIED naming its
// principals. Denials are logged (without the token) and counted in
// crm_authz_denied_total{method,code}.
class Authorizer : public grpc::AuthMetadataProcessor {
 public:
  Authorizer(AuthzPolicy policy, std::optional<JwtVerifier> tokens, prometheus::Registry* registry);

  bool IsBlocking() const override { return false; }  // CPU only: a signature check
  grpc::Status Process(const InputMetadata& auth_metadata, grpc::AuthContext* context,
                       OutputMetadata* consumed_auth_metadata,
                       OutputMetadata* response_metadata) override;

  // The principals of a call Process admitted, from inside its handler.
  std::vector<std::string> PrincipalsOf(const grpc::ServerContext& context) const;
  // Whether that caller may read personal data unmasked.
  bool MayViewFull(const grpc::ServerContext& context) const;

 private:
  absl::StatusOr<std::vector<std::string>> Principals(
      const grpc::AuthContext& peer, std::optional<std::string> authorization) const;
  grpc::Status Deny(grpc::StatusCode code, const std::string& method, const std::string& why);

  AuthzPolicy policy_;
  std::optional<JwtVerifier> tokens_;
  prometheus::Family<prometheus::Counter>* denied_ = nullptr;
};

// From --authz_policy_file, --jwt_public_key_file, --jwt_issuer and
// --jwt_audience: nullptr when no policy is configured (any client the CA
// signed may call anything). A policy needs mutual TLS: BAD_AUTH_CONFIG
// otherwise, since identities and tokens must not travel in plaintext.
absl::StatusOr<std::shared_ptr<Authorizer>> AuthorizerFromFlags(const TlsConfig& tls,
                                                                prometheus::Registry* registry);

}  // namespace crm

#endif  // CRM_COMMON_AUTHORIZER_H_
