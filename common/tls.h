#ifndef CRM_COMMON_TLS_H_
#define CRM_COMMON_TLS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"

namespace crm {

// Mutual TLS between the suite's processes, from PEM files:
//   --tls_cert_file / --tls_key_file  this process's certificate and key
//   --tls_ca_file                     the CA that signs every peer's certificate
// With all three, the server accepts only clients whose certificate the CA
// signed, and calls to other services present this certificate. With none,
// everything is plaintext (development). Anything in between is an error.
struct TlsConfig {
  std::string cert_pem;
  std::string key_pem;
  std::string ca_pem;

  bool enabled() const { return !cert_pem.empty(); }
};

// Reads the files named by the flags (or CRM_TLS_*_FILE); INVALID_ARGUMENT
// with reason BAD_TLS_CONFIG when only some are set or one is unreadable or
// not PEM. Certificates are read once: a rotated certificate takes effect at
// the next start (a rolling restart in a cluster).
absl::StatusOr<TlsConfig> TlsConfigFromFlags();

// The same from explicit paths (clients such as crmctl): all three or none.
absl::StatusOr<TlsConfig> LoadTlsConfig(const std::string& cert_file, const std::string& key_file,
                                        const std::string& ca_file);

std::shared_ptr<grpc::ServerCredentials> ServerCredentialsFor(const TlsConfig& tls);
std::shared_ptr<grpc::ChannelCredentials> ChannelCredentialsFor(const TlsConfig& tls);

}  // namespace crm

#endif  // CRM_COMMON_TLS_H_
