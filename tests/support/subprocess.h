#ifndef CRM_TESTS_SUPPORT_SUBPROCESS_H_
#define CRM_TESTS_SUPPORT_SUBPROCESS_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace crm::testing {

// A child process whose stdout/stderr go to a log file; killed (SIGKILL) on
// destruction if still running.
class Subprocess {
 public:
  Subprocess(std::vector<std::string> argv, std::string log_path);
  ~Subprocess();

  pid_t pid() const { return pid_; }
  void Signal(int signal) const;
  // The exit code (or 128+signal), or nullopt if still running at the deadline.
  std::optional<int> Wait(absl::Duration timeout);
  std::string Log() const;

 private:
  pid_t pid_ = -1;
  std::string log_path_;
  std::optional<int> exit_code_;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort();

// Path of a binary in the build tree, e.g. "services/identify/crm-identify".
std::string BuildPath(const std::string& relative);

}  // namespace crm::testing

#endif  // CRM_TESTS_SUPPORT_SUBPROCESS_H_
