#ifndef CRM_SERVICES_LOYALTY_LOYALTY_STORE_H_
#define CRM_SERVICES_LOYALTY_LOYALTY_STORE_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/idempotency.h"
#include "crm/loyalty/v1/loyalty.pb.h"

namespace crm::loyalty {

// Persistence of the loyalty service.
class LoyaltyStore {
 public:
  virtual ~LoyaltyStore() = default;

  // Inserts a fully formed program; a replay of `key` returns the first one.
  virtual absl::StatusOr<v1::Program> CreateProgram(const RequestKey& key,
                                                    const v1::Program& program) = 0;
  // NOT_FOUND / PROGRAM_NOT_FOUND when absent.
  virtual absl::StatusOr<v1::Program> GetProgram(absl::string_view program_id) = 0;
};

}  // namespace crm::loyalty

#endif  // CRM_SERVICES_LOYALTY_LOYALTY_STORE_H_
