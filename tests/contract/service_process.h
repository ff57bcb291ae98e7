#ifndef CRM_TESTS_CONTRACT_SERVICE_PROCESS_H_
#define CRM_TESTS_CONTRACT_SERVICE_PROCESS_H_

#include <memory>
#include <string>
#include <vector>

#include "grpcpp/channel.h"
#include "tests/support/subprocess.h"
#include "tests/support/test_database.h"

namespace crm::testing {

// One service binary from the build tree, on its own fresh schema (migrated
// by `--migrate_only` as root, served as the DML-only user) and free ports.
class ServiceProcess {
 public:
  // `service` is "identify", "loyalty", ...; `migrate` false leaves the schema
  // empty; `port` 0 picks a free one (a suite whose peers name each other
  // picks them first).
  explicit ServiceProcess(const std::string& service, bool migrate = true,
                          std::vector<std::string> extra_flags = {}, int port = 0);

  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  std::string address() const;
  int metrics_port() const { return metrics_port_; }
  TestDatabase& db() { return db_; }
  Subprocess& process() { return *process_; }
  // Runs the binary with --migrate_only against the schema; its exit code.
  int Migrate();

 private:
  std::string service_;
  TestDatabase db_;
  int port_;
  int metrics_port_;
  std::unique_ptr<Subprocess> process_;
  std::shared_ptr<grpc::Channel> channel_;
};

// True once 127.0.0.1:<port> accepts TCP connections (a client channel made
// before the server listens backs off for seconds).
bool WaitForPort(int port, absl::Duration timeout);

// A plaintext channel that retries connecting every 50-200 ms.
std::shared_ptr<grpc::Channel> FastReconnectChannel(const std::string& address);

// "SERVING", "NOT_SERVING", ... or "UNREACHABLE".
std::string HealthOf(grpc::Channel* channel, const std::string& service = "");

// Polls health until it equals `want` or `timeout` passes.
bool WaitForHealth(grpc::Channel* channel, const std::string& want, absl::Duration timeout);

// GET http://127.0.0.1:<port><path>; the body, or "" on failure.
std::string HttpGet(int port, const std::string& path);

}  // namespace crm::testing

#endif  // CRM_TESTS_CONTRACT_SERVICE_PROCESS_H_
