#ifndef CRM_SERVICES_COMPLAINTS_COMPLAINTS_STORE_H_
#define CRM_SERVICES_COMPLAINTS_COMPLAINTS_STORE_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/idempotency.h"
#include "crm/complaints/v1/complaints.pb.h"

namespace crm::complaints {

// Persistence of the complaints service.
class ComplaintsStore {
 public:
  virtual ~ComplaintsStore() = default;

  // Inserts a fully formed complaint; a replay of `key` returns the first one.
  virtual absl::StatusOr<v1::Complaint> FileComplaint(const RequestKey& key,
                                                      const v1::Complaint& complaint) = 0;
  // NOT_FOUND / COMPLAINT_NOT_FOUND when absent.
  virtual absl::StatusOr<v1::Complaint> GetComplaint(absl::string_view complaint_id) = 0;
};

}  // namespace crm::complaints

#endif  // CRM_SERVICES_COMPLAINTS_COMPLAINTS_STORE_H_
