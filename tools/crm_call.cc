// crm-call: one unary call to any method of the suite, JSON in and out (it
// stands in for grpcurl, which Debian 12 does not package).
//   crm-call [--timeout=5s] [--emit_defaults] [--compact] <target> <method> ['<json>']
// <method> is "pkg.Service/Method"; the request defaults to {} and "-" reads
// it from stdin. Prints the response as JSON and exits 0. A failed call
// prints "ERROR <CODE> <reason> <message>" on stderr (reason from the
// google.rpc.ErrorInfo detail, "-" when there is none) and exits 1. Bad
// usage, an unknown method or a request that does not fit exits 2.
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/errors.h"
#include "common/grpc_status.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "tools/byte_buffers.h"
#include "tools/dynamic_rpc.h"

ABSL_FLAG(absl::Duration, timeout, absl::Seconds(5), "Deadline of the call");
ABSL_FLAG(bool, emit_defaults, false, "Also print response fields that hold default values");
ABSL_FLAG(bool, compact, false, "Print the response on one line");

namespace {

int Fail(const std::string& why) {
  std::cerr << "crm-call: " << why << "\n";
  return 2;
}

int Usage(const std::string& why) {
  std::cerr << "crm-call: " << why << "\n"
            << "usage: crm-call [--timeout=5s] [--emit_defaults] [--compact] <target> "
               "<pkg.Service/Method> ['<json request>' | -]\n";
  return 2;
}

grpc::Status Call(const std::string& target, const std::string& path,
                  const grpc::ByteBuffer& request, grpc::ByteBuffer* response) {
  auto channel = grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::GetFlag(FLAGS_timeout)));
  grpc::Status result;
  absl::Notification done;
  stub.UnaryCall(&context, path, grpc::StubOptions(), &request, response, [&](grpc::Status status) {
    result = std::move(status);
    done.Notify();
  });
  done.WaitForNotification();
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view file) {
    return absl::EndsWith(file, "tools/crm_call.cc");
  };
  usage.contains_helpshort_flags = usage.contains_help_flags;
  absl::SetFlagsUsageConfig(usage);
  absl::SetProgramUsageMessage(
      "crm-call [--timeout=5s] <target> <pkg.Service/Method> ['<json request>']");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() < 3 || args.size() > 4) return Usage("expected <target> <method> [<json>]");
  const std::string target = args[1];
  std::string json = args.size() == 4 ? args[3] : "{}";
  if (json == "-") json.assign(std::istreambuf_iterator<char>(std::cin), {});

  absl::StatusOr<crm::tools::DynamicMethod> method = crm::tools::DynamicMethod::Find(args[2]);
  if (!method.ok()) return Fail(std::string(method.status().message()));
  absl::StatusOr<std::string> request = method->RequestFromJson(json);
  if (!request.ok()) return Fail(std::string(request.status().message()));

  grpc::ByteBuffer response;
  grpc::Status status = Call(target, method->path(), crm::tools::ToByteBuffer(*request), &response);
  if (!status.ok()) {
    absl::Status error = crm::FromGrpcStatus(status);
    std::string reason = crm::ReasonOf(error);
    std::cerr << "ERROR " << absl::StatusCodeToString(error.code()) << " "
              << (reason.empty() ? "-" : reason) << " " << error.message() << "\n";
    return 1;
  }
  absl::StatusOr<std::string> text = method->ResponseToJson(
      crm::tools::FromByteBuffer(response), {.pretty = !absl::GetFlag(FLAGS_compact),
                                             .emit_defaults = absl::GetFlag(FLAGS_emit_defaults)});
  if (!text.ok()) {
    std::cerr << "ERROR " << absl::StatusCodeToString(text.status().code()) << " - "
              << text.status().message() << "\n";
    return 1;
  }
  std::cout << *text;
  if (text->empty() || text->back() != '\n') std::cout << "\n";
  return 0;
}
