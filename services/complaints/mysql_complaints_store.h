#ifndef CRM_SERVICES_COMPLAINTS_MYSQL_COMPLAINTS_STORE_H_
#define CRM_SERVICES_COMPLAINTS_MYSQL_COMPLAINTS_STORE_H_

#include "common/clock.h"
#include "common/migrator.h"
#include "common/mysql_pool.h"
#include "services/complaints/complaints_store.h"

namespace crm::complaints {

// The schema the store needs: schema/*.sql, compiled in.
const std::vector<MigrationFile>& Migrations();

class MysqlComplaintsStore final : public ComplaintsStore {
 public:
  MysqlComplaintsStore(MysqlPool* pool, const Clock* clock) : pool_(pool), clock_(clock) {}

  absl::StatusOr<v1::Complaint> Create(const RequestKey& key, ComplaintRecord& record) override;
  absl::StatusOr<ComplaintRecord> Load(absl::string_view complaint_id) override;
  absl::StatusOr<v1::Complaint> Update(const RequestKey& key, absl::string_view complaint_id,
                                       const Change& change, bool skip_locked) override;
  absl::StatusOr<std::vector<v1::Complaint>> List(const ComplaintFilter& filter) override;

  absl::StatusOr<std::vector<std::string>> DueForCheck(absl::Time as_of, int limit) override;
  absl::Status CheckClassAgain(absl::string_view sla_class, absl::Time at) override;

  absl::StatusOr<std::vector<PendingCall>> ClaimPendingCalls(absl::Time now,
                                                             absl::Duration lease, int limit,
                                                             const std::string& token) override;
  absl::Status RetryPendingCallAt(const PendingCall& call, absl::Time retry_at,
                                  absl::string_view error) override;
  absl::Status FinishPendingCall(const PendingCall& call) override;

  absl::StatusOr<v1::BusinessCalendar> PutCalendar(const v1::BusinessCalendar& c) override;
  absl::StatusOr<v1::BusinessCalendar> GetCalendar(absl::string_view calendar_id) override;
  absl::StatusOr<v1::SlaPolicy> PutPolicy(const v1::SlaPolicy& policy) override;
  absl::StatusOr<v1::SlaPolicy> GetPolicy(absl::string_view sla_class) override;

  absl::StatusOr<std::vector<ComplaintFacts>> FactsFiledIn(absl::Time start,
                                                           absl::Time end) override;

 private:
  MysqlPool* pool_;
  const Clock* clock_;
};

}  // namespace crm::complaints

#endif  // CRM_SERVICES_COMPLAINTS_MYSQL_COMPLAINTS_STORE_H_
