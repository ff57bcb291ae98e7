#ifndef CRM_SERVICES_SEGMENT_MYSQL_WARNINGS_STORE_H_
#define CRM_SERVICES_SEGMENT_MYSQL_WARNINGS_STORE_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/ids.h"
#include "common/mysql_pool.h"
#include "crm/segment/v1/segment.pb.h"

namespace crm::segment {

// Why a customer's condition holds, by customer id.
using WarningReasons = std::map<std::string, std::vector<std::string>>;

struct CreditOutcome {
  v1::CreditPosition position;
  std::optional<v1::Warning> warning;  // of the episode in progress
};

struct WarningFilter {
  std::string customer_id;                                 // "" any
  v1::Warning::Kind kind = v1::Warning::KIND_UNSPECIFIED;  // any
  bool open_only = false;
};

// Early warnings, raised once per episode: an episode of (customer, kind)
// lasts while its condition holds; its warning is raised when it starts and
// CLEARED, if still open, when it ends.
class MysqlWarningsStore {
 public:
  MysqlWarningsStore(MysqlPool* pool, IdGenerator* ids) : pool_(pool), ids_(ids) {}

  // Makes the episodes of `kind` exactly those of `holding`, at `now`.
  absl::Status Reconcile(v1::Warning::Kind kind, const WarningReasons& holding, absl::Time now);

  // Sets the credit limit and/or the outstanding receivables, and starts or
  // ends the customer's credit episode accordingly, in one transaction.
  absl::StatusOr<CreditOutcome> UpdateCredit(const std::string& customer_id,
                                             std::optional<int64_t> limit,
                                             std::optional<int64_t> outstanding, absl::Time now);

  // Newest first, with warning_id < `before` ("" from the newest).
  absl::StatusOr<std::vector<v1::Warning>> List(const WarningFilter& filter,
                                                const std::string& before, int limit);

  // Moves an open warning to `to` with `note`; NOT_FOUND / WARNING_NOT_FOUND,
  // FAILED_PRECONDITION / WARNING_NOT_OPEN when its state is not in `from`.
  absl::StatusOr<v1::Warning> Transition(const std::string& warning_id,
                                         std::vector<v1::Warning::State> from,
                                         v1::Warning::State to, const std::string& note,
                                         absl::Time now);

 private:
  MysqlPool* pool_;
  IdGenerator* ids_;
};

}  // namespace crm::segment

#endif  // CRM_SERVICES_SEGMENT_MYSQL_WARNINGS_STORE_H_
