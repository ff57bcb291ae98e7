// crmctl: the suite's command-line client, for operators and scripts.
//   crmctl [options] <service> <method> [--<field>=<value>...] [-d '<json>' | -d -]
//   crmctl help | crmctl <service> --help | crmctl <service> <method> --help
// Every unary RPC of identify, loyalty, complaints and segment can be called;
// requests are built from flags checked against the protos (see
// request_builder.h), responses printed for people or, with --json, as JSON.
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/errors.h"
#include "common/grpc_status.h"
#include "common/tls.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "tools/byte_buffers.h"
#include "tools/crmctl/render.h"
#include "tools/crmctl/request_builder.h"
#include "tools/dynamic_rpc.h"

namespace {

namespace pb = ::google::protobuf;
using nlohmann::json;

constexpr int kUsage = 2;
constexpr int kRpcErrorBase = 10;  // exit code = 10 + the gRPC status code

struct Service {
  const char* name;
  const char* full_name;
  const char* default_target;
};
constexpr Service kServices[] = {
    {"identify", "crm.identify.v1.IdentifyService", "127.0.0.1:50051"},
    {"loyalty", "crm.loyalty.v1.LoyaltyService", "127.0.0.1:50052"},
    {"complaints", "crm.complaints.v1.ComplaintsService", "127.0.0.1:50053"},
    {"segment", "crm.segment.v1.SegmentService", "127.0.0.1:50054"},
};

struct Options {
  bool json = false;
  std::string get;  // print only this field of the response
  absl::Duration timeout = absl::Seconds(10);
  std::map<std::string, std::string> targets;
  std::string tls_cert, tls_key, tls_ca;
  std::string token;  // bearer token (JWT) sent as "authorization: Bearer ..."
};

constexpr char kUsageText[] = R"(crmctl: call the CRM suite's services.

Usage:
  crmctl [options] <service> <method> [--<field>=<value>...] [-d '<json>' | -d -]
  crmctl help                      services and their methods
  crmctl <service> --help          a service's methods
  crmctl <service> <method> --help the method's request fields

  <service>  identify | loyalty | complaints | segment
  <method>   CreateCustomer or create-customer
  fields     --customer.display_name="Li Lei" (nested by dots), --kind=person (enum by
             name or unique suffix), a repeated field given again appends (for repeated
             messages a repeated sub-field starts the next element), any message field
             also takes JSON; -d gives the whole request as JSON first ("-" reads stdin).
             A missing request_id is generated (and printed on stderr): pass it back to
             retry the same request safely.

Options (before <service>; each also from the environment):
  --json                print the response as JSON                      CRMCTL_JSON=1
  --get=PATH            print only one field of the response, e.g. customer.customer_id
                        (list items by index: customer.identifiers.0.value)
  --timeout=10s         deadline of the call                            CRMCTL_TIMEOUT
  --identify=ADDR       identify's address (127.0.0.1:50051)             CRMCTL_IDENTIFY
  --loyalty=ADDR        loyalty's address (127.0.0.1:50052)              CRMCTL_LOYALTY
  --complaints=ADDR     complaints' address (127.0.0.1:50053)            CRMCTL_COMPLAINTS
  --segment=ADDR        segment's address (127.0.0.1:50054)              CRMCTL_SEGMENT
  --tls_cert_file=F --tls_key_file=F --tls_ca_file=F
                        mutual TLS (all three)    CRMCTL_TLS_CERT_FILE, _KEY_FILE, _CA_FILE
  --token=JWT           bearer token naming your role (crm-token makes one)  CRMCTL_TOKEN

Exit status: 0 done; 2 bad usage or a request that does not fit the method;
10 + the gRPC code when the call fails (13 INVALID_ARGUMENT, 15 NOT_FOUND,
16 ALREADY_EXISTS, 19 FAILED_PRECONDITION, 24 UNAVAILABLE, ...); 1 otherwise.
Errors go to stderr: "<CODE> <reason>: <message>", or JSON with --json.
)";

int UsageError(const std::string& why) {
  std::cerr << "crmctl: " << why << "\n(crmctl help for usage)\n";
  return kUsage;
}

const Service* FindService(const std::string& name) {
  for (const Service& s : kServices) {
    if (name == s.name) return &s;
  }
  return nullptr;
}

// "create-customer" -> "CreateCustomer"; "CreateCustomer" stays.
std::string MethodName(const std::string& given) {
  if (!absl::StrContains(given, '-')) return given;
  std::string name;
  for (absl::string_view word : absl::StrSplit(given, '-', absl::SkipEmpty())) {
    std::string w(word);
    w[0] = absl::ascii_toupper(w[0]);
    name += w;
  }
  return name;
}

std::string Kebab(const std::string& method) {
  std::string out;
  for (char c : method) {
    if (absl::ascii_isupper(c) && !out.empty()) out += '-';
    out += absl::ascii_tolower(c);
  }
  return out;
}

std::string MethodList(const pb::ServiceDescriptor& service) {
  std::string out;
  for (int i = 0; i < service.method_count(); ++i) {
    const pb::MethodDescriptor& m = *service.method(i);
    if (m.client_streaming() || m.server_streaming()) continue;
    absl::StrAppend(&out, absl::StrFormat("  %-34s %s\n", Kebab(m.name()), m.input_type()->name()));
  }
  return out;
}

const pb::ServiceDescriptor* Descriptor(const Service& s) {
  // Finding any method registers the suite's protos in the pool.
  (void)crm::tools::DynamicMethod::Find(absl::StrCat(s.full_name, "/-"));
  return pb::DescriptorPool::generated_pool()->FindServiceByName(s.full_name);
}

std::optional<std::string> Env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

// Options from the environment, then from the command line up to <service>.
std::optional<int> ParseOptions(std::vector<std::string>& args, Options& options) {
  if (Env("CRMCTL_JSON") == "1") options.json = true;
  for (const Service& s : kServices) {
    options.targets[s.name] = Env(absl::AsciiStrToUpper(absl::StrCat("CRMCTL_", s.name)).c_str())
                                  .value_or(s.default_target);
  }
  options.tls_cert = Env("CRMCTL_TLS_CERT_FILE").value_or("");
  options.tls_key = Env("CRMCTL_TLS_KEY_FILE").value_or("");
  options.tls_ca = Env("CRMCTL_TLS_CA_FILE").value_or("");
  options.token = Env("CRMCTL_TOKEN").value_or("");
  std::string timeout = Env("CRMCTL_TIMEOUT").value_or("10s");
  size_t i = 0;
  for (; i < args.size() && absl::StartsWith(args[i], "--"); ++i) {
    const std::string& arg = args[i];
    auto eq = arg.find('=');
    const std::string key = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    const std::string value = eq == std::string::npos ? "" : arg.substr(eq + 1);
    if (key == "json") {
      options.json = true;
    } else if (key == "help") {
      std::cout << kUsageText;
      return 0;
    } else if (eq == std::string::npos) {
      return UsageError(absl::StrCat("option ", arg, " needs =<value>"));
    } else if (key == "timeout") {
      timeout = value;
    } else if (key == "get") {
      options.get = value;
    } else if (FindService(key) != nullptr) {
      options.targets[key] = value;
    } else if (key == "tls_cert_file") {
      options.tls_cert = value;
    } else if (key == "tls_key_file") {
      options.tls_key = value;
    } else if (key == "tls_ca_file") {
      options.tls_ca = value;
    } else if (key == "token") {
      options.token = value;
    } else {
      return UsageError(absl::StrCat("unknown option ", arg));
    }
  }
  if (!absl::ParseDuration(timeout, &options.timeout) || options.timeout <= absl::ZeroDuration()) {
    return UsageError(absl::StrCat("--timeout '", timeout, "' is not a positive duration"));
  }
  args.erase(args.begin(), args.begin() + static_cast<long>(i));
  return std::nullopt;
}

std::string NewRequestId() {
  absl::BitGen gen;
  return absl::StrFormat("crmctl-%016x%016x", absl::Uniform<uint64_t>(gen),
                         absl::Uniform<uint64_t>(gen));
}

// The request from -d and the field flags after <method>.
std::optional<int> BuildRequest(const pb::Descriptor& type, const std::vector<std::string>& args,
                                json& request) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-d" || arg == "--data") {
      if (i + 1 == args.size()) return UsageError("-d needs a JSON request or -");
      std::string text = args[++i];
      if (text == "-") text.assign(std::istreambuf_iterator<char>(std::cin), {});
      json base = json::parse(text, nullptr, false);
      if (base.is_discarded() || !base.is_object()) return UsageError("-d: not a JSON object");
      request.update(base);
      continue;
    }
    if (!absl::StartsWith(arg, "--") || arg.size() == 2) {
      return UsageError(absl::StrCat("unexpected argument '", arg, "'"));
    }
    std::string path = arg.substr(2), value;
    if (auto eq = path.find('='); eq != std::string::npos) {
      value = path.substr(eq + 1);
      path.resize(eq);
    } else if (i + 1 < args.size() && !absl::StartsWith(args[i + 1], "--")) {
      value = args[++i];
    } else {
      value = "true";  // a bare boolean flag
    }
    if (absl::Status s = crm::crmctl::SetField(type, path, value, request); !s.ok()) {
      return UsageError(std::string(s.message()));
    }
  }
  return std::nullopt;
}

grpc::Status Call(const std::string& target, const crm::TlsConfig& tls, const Options& options,
                  const std::string& path, const std::string& request, std::string* response) {
  grpc::GenericStub stub(grpc::CreateChannel(target, crm::ChannelCredentialsFor(tls)));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + options.timeout));
  if (!options.token.empty()) context.AddMetadata("authorization", "Bearer " + options.token);
  grpc::ByteBuffer out;
  grpc::ByteBuffer in = crm::tools::ToByteBuffer(request);
  grpc::Status result;
  absl::Notification done;
  stub.UnaryCall(&context, path, grpc::StubOptions(), &in, &out, [&](grpc::Status status) {
    result = std::move(status);
    done.Notify();
  });
  done.WaitForNotification();
  if (result.ok()) *response = crm::tools::FromByteBuffer(out);
  return result;
}

int ReportError(const grpc::Status& status, bool as_json) {
  absl::Status error = crm::FromGrpcStatus(status);
  const std::string code = absl::StatusCodeToString(error.code());
  const std::string reason = crm::ReasonOf(error);
  const auto metadata = crm::MetadataOf(error);
  if (as_json) {
    json out = {{"code", code}, {"reason", reason}, {"message", std::string(error.message())}};
    out["metadata"] = json(metadata);
    std::cerr << json{{"error", out}}.dump() << "\n";
  } else {
    std::cerr << code << " " << (reason.empty() ? "-" : reason) << ": " << error.message();
    for (const auto& [k, v] : metadata) std::cerr << " [" << k << "=" << v << "]";
    std::cerr << "\n";
  }
  return kRpcErrorBase + static_cast<int>(error.code());
}

// --get: one value of the response, raw when it is a scalar, for scripts.
int PrintField(const nlohmann::ordered_json& response, const std::string& path) {
  const nlohmann::ordered_json* at = &response;
  for (const std::string& part : std::vector<std::string>(absl::StrSplit(path, '.'))) {
    size_t index = 0;
    if (at->is_array() && absl::SimpleAtoi(part, &index) && index < at->size()) {
      at = &(*at)[index];
    } else if (at->is_object() && at->contains(part)) {
      at = &(*at)[part];
    } else {
      std::cerr << "crmctl: the response has no " << path << " (fields at zero values are "
                << "not sent)\n";
      return 1;
    }
  }
  std::cout << (at->is_string() ? at->get<std::string>() : at->dump()) << "\n";
  return 0;
}

int Run(std::vector<std::string> args) {
  Options options;
  if (auto done = ParseOptions(args, options)) return *done;
  if (args.empty() || args[0] == "help") {
    std::cout << kUsageText << "\nServices and methods:\n";
    for (const Service& s : kServices) {
      std::cout << s.name << " (" << s.full_name << ")\n" << MethodList(*Descriptor(s));
    }
    return args.empty() ? kUsage : 0;
  }
  const Service* service = FindService(args[0]);
  if (service == nullptr) {
    return UsageError(absl::StrCat("unknown service '", args[0],
                                   "'; one of identify, loyalty, complaints, segment"));
  }
  if (args.size() == 1 || args[1] == "--help" || args[1] == "help") {
    std::cout << service->name << " (" << service->full_name << ") methods:\n"
              << MethodList(*Descriptor(*service));
    return args.size() == 1 ? kUsage : 0;
  }
  auto method =
      crm::tools::DynamicMethod::Find(absl::StrCat(service->full_name, "/", MethodName(args[1])));
  if (!method.ok()) return UsageError(std::string(method.status().message()));
  const pb::Descriptor& type = *method->descriptor().input_type();
  std::vector<std::string> rest(args.begin() + 2, args.end());
  if (std::find(rest.begin(), rest.end(), "--help") != rest.end()) {
    std::cout << "crmctl " << service->name << " " << Kebab(method->descriptor().name())
              << " [--<field>=<value>...] [-d '<json>']\n"
              << type.full_name() << " -> " << method->descriptor().output_type()->full_name()
              << "\n\n"
              << crm::crmctl::DescribeFields(type) << "\n";
    return 0;
  }
  json request = json::object();
  if (auto done = BuildRequest(type, rest, request)) return *done;
  if (type.FindFieldByName("request_id") != nullptr && !request.contains("request_id")) {
    request["request_id"] = NewRequestId();
    std::cerr << "request_id " << request["request_id"].get<std::string>() << "\n";
  }
  auto bytes = method->RequestFromJson(request.dump());
  if (!bytes.ok()) return UsageError(std::string(bytes.status().message()));
  auto tls = crm::LoadTlsConfig(options.tls_cert, options.tls_key, options.tls_ca);
  if (!tls.ok()) return UsageError(std::string(tls.status().message()));
  if (!options.token.empty() && !tls->enabled()) {
    return UsageError(
        "a bearer token is only sent over TLS: give --tls_cert_file, "
        "--tls_key_file and --tls_ca_file (or unset CRMCTL_TOKEN)");
  }

  std::string response;
  grpc::Status status =
      Call(options.targets[service->name], *tls, options, method->path(), *bytes, &response);
  if (!status.ok()) return ReportError(status, options.json);
  auto text = method->ResponseToJson(response, {.pretty = options.json});
  if (!text.ok()) {
    std::cerr << "crmctl: " << text.status().message() << "\n";
    return 1;
  }
  if (!options.get.empty()) return PrintField(nlohmann::ordered_json::parse(*text), options.get);
  if (options.json) {
    std::cout << *text << (absl::EndsWith(*text, "\n") ? "" : "\n");
  } else {
    std::cout << crm::crmctl::RenderReadable(nlohmann::ordered_json::parse(*text));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return Run(std::vector<std::string>(argv + 1, argv + argc)); }
