#ifndef CRM_SERVICES_LOYALTY_RULES_CACHE_H_
#define CRM_SERVICES_LOYALTY_RULES_CACHE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "cppconn/connection.h"
#include "crm/loyalty/v1/program.pb.h"

namespace crm::loyalty {

// Every rules version of one program, as of its rules_version.
struct ProgramRulesHistory {
  int32_t latest_version = 0;
  uint32_t currency_exponent = 2;
  // By effective time, then version.
  std::vector<v1::ProgramRules> versions;

  // The version in force at `time`, or null before the first one.
  const v1::ProgramRules* At(absl::Time time) const;
};

// Rules versions never change once written; a program's rules_version says
// whether a newer one was added. So a cached history is good as long as the
// caller, who read rules_version in its transaction, sees the same number.
class RulesCache {
 public:
  // The cached history, or null; `latest_version` is checked by the caller.
  std::shared_ptr<const ProgramRulesHistory> Peek(absl::string_view program_id) const;

  // The history at `latest_version` (0: whatever the database has), loaded
  // on `conn` when the cache lacks it; NOT_FOUND / PROGRAM_NOT_FOUND.
  absl::StatusOr<std::shared_ptr<const ProgramRulesHistory>> Get(sql::Connection& conn,
                                                                 absl::string_view program_id,
                                                                 int32_t latest_version);

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<const ProgramRulesHistory>> programs_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace crm::loyalty

#endif  // CRM_SERVICES_LOYALTY_RULES_CACHE_H_
