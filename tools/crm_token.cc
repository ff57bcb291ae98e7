// crm-token: signs a bearer token for a person or an application, for
// development and tests (production tokens come from the identity provider).
//   crm-token --key_file=jwt.key --sub=alice --role=agent [--ttl=8h]
// Prints the ES256 JWT the services verify with --jwt_public_key_file.
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/time/clock.h"
#include "common/jwt_verifier.h"

ABSL_FLAG(std::string, key_file, "", "PEM EC P-256 private key that signs the token");
ABSL_FLAG(std::string, sub, "", "Who holds the token (a user or an application)");
ABSL_FLAG(std::string, role, "", "Role the authorisation policy knows them as");
ABSL_FLAG(absl::Duration, ttl, absl::Hours(8), "How long the token is valid");
ABSL_FLAG(std::string, issuer, "crm", "\"iss\" of the token");
ABSL_FLAG(std::string, audience, "crm", "\"aud\" of the token");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("crm-token --key_file=jwt.key --sub=alice --role=agent [--ttl=8h]");
  absl::ParseCommandLine(argc, argv);
  std::ifstream in(absl::GetFlag(FLAGS_key_file));
  std::ostringstream key;
  key << in.rdbuf();
  if (!in || absl::GetFlag(FLAGS_sub).empty() || absl::GetFlag(FLAGS_role).empty() ||
      absl::GetFlag(FLAGS_ttl) <= absl::ZeroDuration()) {
    std::cerr
        << "crm-token: --key_file (readable), --sub, --role and a positive --ttl are needed\n";
    return 2;
  }
  const absl::Time now = absl::Now();
  auto token = crm::SignToken(
      key.str(), absl::GetFlag(FLAGS_issuer), absl::GetFlag(FLAGS_audience),
      {absl::GetFlag(FLAGS_sub), absl::GetFlag(FLAGS_role), now + absl::GetFlag(FLAGS_ttl)}, now);
  if (!token.ok()) {
    std::cerr << "crm-token: " << token.status().message() << "\n";
    return 1;
  }
  std::cout << *token << "\n";
  return 0;
}
