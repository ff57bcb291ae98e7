// crm-loadgen: a closed-loop gRPC load generator for any unary method of the
// suite. See bench/README.md.
//   crm-loadgen --target=127.0.0.1:50060 --method=crm.bench.v1.EchoService/Echo
//     --request='{"payload":"aGk="}' --concurrency=16 --duration=10s
// Prints a text report, then the same numbers as one JSON line (the last line
// of stdout). Exits 0 when the run completed, even if calls failed; 1 when the
// target cannot be reached, the report cannot be written or a flag value does
// not parse; 2 on a bad flag value, an unknown method or a request that does
// not fit the method.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "bench/load_runner.h"
#include "bench/loadgen_report.h"
#include "bench/request_factory.h"
#include "bench/request_template.h"
#include "tools/dynamic_rpc.h"

ABSL_FLAG(std::string, target, "", "Server address, host:port (required)");
ABSL_FLAG(std::string, method, "", "Full method name, pkg.Service/Method (required)");
ABSL_FLAG(std::string, request, "",
          "Request as JSON; may hold {{seq}}, {{uuid}}, {{rand:N}} (default {})");
ABSL_FLAG(std::string, request_file, "", "Read the request template from this file instead");
ABSL_FLAG(std::string, requests_file, "",
          "Or: one request template per line, used in turn (replays recorded or generated "
          "traffic)");
ABSL_FLAG(int, concurrency, 32, "Calls in flight at all times");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(10), "Measured time");
ABSL_FLAG(absl::Duration, warmup, absl::Seconds(1), "Load before the measured time, not counted");
ABSL_FLAG(int, connections, 1, "Channels (TCP connections) the calls are spread over");
ABSL_FLAG(int, threads, 2, "Completion-queue threads");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(5), "Deadline of each call");
ABSL_FLAG(std::string, json_out, "", "Also write the JSON report to this file");
ABSL_FLAG(std::string, label, "", "Name of the run, copied into the report");
ABSL_FLAG(std::string, token, "",
          "Bearer token for a secured suite (with --tls_cert_file, --tls_key_file, --tls_ca_file)");

namespace {

int Fail(int code, const std::string& why) {
  std::cerr << "crm-loadgen: " << why << "\n";
  return code;
}

absl::StatusOr<std::string> ReadFile(const std::string& flag, const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read --", flag, " ", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The request templates from --request, --request_file or --requests_file.
absl::StatusOr<std::vector<crm::bench::RequestTemplate>> RequestTemplates() {
  const std::string inline_text = absl::GetFlag(FLAGS_request);
  const std::string file = absl::GetFlag(FLAGS_request_file);
  const std::string lines_file = absl::GetFlag(FLAGS_requests_file);
  if (!inline_text.empty() + !file.empty() + !lines_file.empty() > 1) {
    return absl::InvalidArgumentError(
        "give one of --request, --request_file and --requests_file");
  }
  std::vector<std::string> texts;
  if (!lines_file.empty()) {
    auto text = ReadFile("requests_file", lines_file);
    if (!text.ok()) return text.status();
    for (absl::string_view line : absl::StrSplit(*text, '\n', absl::SkipWhitespace())) {
      texts.emplace_back(line);
    }
    if (texts.empty()) return absl::InvalidArgumentError("--requests_file holds no request");
  } else if (!file.empty()) {
    auto text = ReadFile("request_file", file);
    if (!text.ok()) return text.status();
    texts.push_back(*text);
  } else {
    texts.push_back(inline_text.empty() ? "{}" : inline_text);
  }
  std::vector<crm::bench::RequestTemplate> templates;
  for (const std::string& text : texts) {
    auto parsed = crm::bench::RequestTemplate::Parse(text);
    if (!parsed.ok()) return parsed.status();
    templates.push_back(*std::move(parsed));
  }
  return templates;
}

absl::StatusOr<crm::bench::LoadConfig> ConfigFromFlags(const std::string& path) {
  crm::bench::LoadConfig c;
  c.target = absl::GetFlag(FLAGS_target);
  c.path = path;
  c.concurrency = absl::GetFlag(FLAGS_concurrency);
  c.connections = absl::GetFlag(FLAGS_connections);
  c.threads = absl::GetFlag(FLAGS_threads);
  c.warmup = absl::GetFlag(FLAGS_warmup);
  c.duration = absl::GetFlag(FLAGS_duration);
  c.timeout = absl::GetFlag(FLAGS_timeout);
  c.token = absl::GetFlag(FLAGS_token);
  auto tls = crm::TlsConfigFromFlags();
  if (!tls.ok()) return tls.status();
  c.tls = *std::move(tls);
  if (!c.token.empty() && !c.tls.enabled()) {
    return absl::InvalidArgumentError("--token is only sent over TLS: give --tls_cert_file, "
                                      "--tls_key_file and --tls_ca_file");
  }
  if (c.target.empty()) return absl::InvalidArgumentError("--target is required");
  if (c.concurrency < 1 || c.concurrency > 100000) {
    return absl::InvalidArgumentError("--concurrency must be 1-100000");
  }
  if (c.connections < 1 || c.connections > c.concurrency) {
    return absl::InvalidArgumentError("--connections must be 1-concurrency");
  }
  if (c.threads < 1 || c.threads > 256)
    return absl::InvalidArgumentError("--threads must be 1-256");
  if (c.warmup < absl::ZeroDuration()) return absl::InvalidArgumentError("--warmup must be >= 0");
  if (c.duration <= absl::ZeroDuration())
    return absl::InvalidArgumentError("--duration must be > 0");
  if (c.timeout <= absl::ZeroDuration()) return absl::InvalidArgumentError("--timeout must be > 0");
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view file) {
    return absl::EndsWith(file, "bench/loadgen.cc") || absl::EndsWith(file, "common/tls.cc");
  };
  usage.contains_helpshort_flags = usage.contains_help_flags;
  absl::SetFlagsUsageConfig(usage);
  absl::SetProgramUsageMessage(
      "crm-loadgen --target=host:port --method=pkg.Service/Method --request='<json>' "
      "[--concurrency=32 --duration=10s ...]");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() > 1) return Fail(2, absl::StrCat("unexpected argument '", args[1], "'"));

  if (absl::GetFlag(FLAGS_method).empty()) return Fail(2, "--method is required");
  absl::StatusOr<crm::tools::DynamicMethod> method =
      crm::tools::DynamicMethod::Find(absl::GetFlag(FLAGS_method));
  if (!method.ok()) return Fail(2, std::string(method.status().message()));
  absl::StatusOr<crm::bench::LoadConfig> config = ConfigFromFlags(method->path());
  if (!config.ok()) return Fail(2, std::string(config.status().message()));
  auto templates = RequestTemplates();
  if (!templates.ok()) return Fail(2, std::string(templates.status().message()));
  auto requests = crm::bench::RequestFactory::Create(*method, *std::move(templates));
  if (!requests.ok()) return Fail(2, std::string(requests.status().message()));

  absl::StatusOr<crm::bench::CallStats> stats = crm::bench::RunLoad(*config, requests->get());
  if (!stats.ok()) return Fail(1, std::string(stats.status().message()));

  crm::bench::RunReport report = crm::bench::MakeReport(*std::move(stats));
  report.label = absl::GetFlag(FLAGS_label);
  report.target = config->target;
  report.method = method->display_name();
  report.concurrency = config->concurrency;
  report.connections = config->connections;
  report.threads = config->threads;
  report.warmup_s = absl::ToDoubleSeconds(config->warmup);
  report.duration_s = absl::ToDoubleSeconds(config->duration);
  const std::string json = crm::bench::ReportJson(report);
  std::cout << crm::bench::ReportText(report) << json << std::endl;

  if (const std::string path = absl::GetFlag(FLAGS_json_out); !path.empty()) {
    std::ofstream out(path);
    out << json << "\n";
    if (!out.flush()) return Fail(1, absl::StrCat("cannot write --json_out ", path));
  }
  return 0;
}
