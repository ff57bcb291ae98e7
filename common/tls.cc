#include "common/tls.h"

#include <fstream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"

ABSL_FLAG(std::string, tls_cert_file, "", "PEM certificate of this process (mutual TLS)");
ABSL_FLAG(std::string, tls_key_file, "", "PEM private key of --tls_cert_file");
ABSL_FLAG(std::string, tls_ca_file, "",
          "PEM CA certificate that signs every peer (clients and servers) of the suite");

namespace crm {
namespace {

absl::Status Bad(absl::string_view why) {
  return Error(absl::StatusCode::kInvalidArgument, "BAD_TLS_CONFIG", why);
}

absl::StatusOr<std::string> ReadPem(const std::string& flag, const std::string& path,
                                    absl::string_view marker) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Bad(absl::StrCat("--", flag, ": cannot read ", path));
  std::ostringstream text;
  text << in.rdbuf();
  if (!absl::StrContains(text.str(), "-----BEGIN ") || !absl::StrContains(text.str(), marker)) {
    return Bad(absl::StrCat("--", flag, ": ", path, " holds no PEM ", marker));
  }
  return text.str();
}

}  // namespace

absl::StatusOr<TlsConfig> TlsConfigFromFlags() {
  return LoadTlsConfig(absl::GetFlag(FLAGS_tls_cert_file), absl::GetFlag(FLAGS_tls_key_file),
                       absl::GetFlag(FLAGS_tls_ca_file));
}

absl::StatusOr<TlsConfig> LoadTlsConfig(const std::string& cert, const std::string& key,
                                        const std::string& ca) {
  TlsConfig tls;
  if (cert.empty() && key.empty() && ca.empty()) return tls;
  if (cert.empty() || key.empty() || ca.empty()) {
    return Bad("--tls_cert_file, --tls_key_file and --tls_ca_file go together");
  }
  auto cert_pem = ReadPem("tls_cert_file", cert, "CERTIFICATE");
  if (!cert_pem.ok()) return cert_pem.status();
  auto key_pem = ReadPem("tls_key_file", key, "PRIVATE KEY");
  if (!key_pem.ok()) return key_pem.status();
  auto ca_pem = ReadPem("tls_ca_file", ca, "CERTIFICATE");
  if (!ca_pem.ok()) return ca_pem.status();
  tls.cert_pem = *std::move(cert_pem);
  tls.key_pem = *std::move(key_pem);
  tls.ca_pem = *std::move(ca_pem);
  return tls;
}

std::shared_ptr<grpc::ServerCredentials> ServerCredentialsFor(const TlsConfig& tls) {
  if (!tls.enabled()) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = tls.ca_pem;
  options.pem_key_cert_pairs.push_back({tls.key_pem, tls.cert_pem});
  return grpc::SslServerCredentials(options);
}

std::shared_ptr<grpc::ChannelCredentials> ChannelCredentialsFor(const TlsConfig& tls) {
  if (!tls.enabled()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = tls.ca_pem;
  options.pem_private_key = tls.key_pem;
  options.pem_cert_chain = tls.cert_pem;
  return grpc::SslCredentials(options);
}

}  // namespace crm
