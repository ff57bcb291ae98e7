// crm-health: asks a server for its gRPC health, for scripts.
//   crm-health --target=127.0.0.1:50051 [--service=NAME] [--wait=30s]
// Prints the status; exits 0 when SERVING, 1 otherwise. With --wait it polls
// until SERVING or the time is up.
#include <iostream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50051", "Server address");
ABSL_FLAG(std::string, service, "", "Service name; empty for the whole server");
ABSL_FLAG(absl::Duration, wait, absl::ZeroDuration(), "Poll until SERVING for this long");

int main(int argc, char** argv) {
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view file) {
    return absl::EndsWith(file, "tools/crm_health.cc");
  };
  usage.contains_helpshort_flags = usage.contains_help_flags;
  absl::SetFlagsUsageConfig(usage);
  absl::SetProgramUsageMessage("crm-health --target=host:port [--service=NAME] [--wait=30s]");
  absl::ParseCommandLine(argc, argv);
  const absl::Time deadline = absl::Now() + absl::GetFlag(FLAGS_wait);
  std::string last;
  do {
    // A fresh channel each time: a channel that saw the server down backs off
    // for seconds before it tries again.
    auto stub = grpc::health::v1::Health::NewStub(
        grpc::CreateChannel(absl::GetFlag(FLAGS_target), grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(2)));
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(absl::GetFlag(FLAGS_service));
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status status = stub->Check(&ctx, request, &response);
    if (status.ok() && response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
      std::cout << "SERVING\n";
      return 0;
    }
    last = status.ok() ? grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status())
                       : "UNREACHABLE (" + status.error_message() + ")";
    if (absl::Now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  } while (absl::Now() < deadline);
  std::cout << last << "\n";
  return 1;
}
