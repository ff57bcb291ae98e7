#ifndef CRM_SERVICES_IDENTIFY_MYSQL_IDENTIFY_STORE_H_
#define CRM_SERVICES_IDENTIFY_MYSQL_IDENTIFY_STORE_H_

#include <vector>

#include "absl/functional/function_ref.h"
#include "common/clock.h"
#include "common/data_key.h"
#include "common/migrator.h"
#include "common/mysql_pool.h"
#include "services/identify/identify_store.h"

namespace crm::identify {

// The schema the store needs: schema/*.sql, compiled in.
const std::vector<MigrationFile>& Migrations();

// Inside the caller's transaction: moves a live customer's lifecycle status
// to next(current), with its history and LifecycleChanged event when it
// changes; the customer after.
absl::StatusOr<v1::Customer> ChangeLifecycle(
    sql::Connection& conn, const DataKey& key, absl::string_view customer_id,
    absl::FunctionRef<v1::LifecycleStatus(v1::LifecycleStatus)> next, const ChangeContext& context);

class MysqlIdentifyStore final : public IdentifyStore {
 public:
  MysqlIdentifyStore(MysqlPool* pool, const Clock* clock, const DataKey* key)
      : pool_(pool), clock_(clock), key_(key) {}

  absl::StatusOr<v1::Customer> CreateCustomer(const RequestKey& key,
                                              const NewCustomer& customer) override;
  absl::StatusOr<FoundCustomer> GetCustomer(absl::string_view customer_id) override;
  absl::StatusOr<v1::Customer> UpdateCustomer(
      const RequestKey& key, absl::string_view customer_id, absl::string_view etag,
      const ChangeContext& context, absl::FunctionRef<absl::Status(v1::Customer&)> mutate) override;
  absl::StatusOr<std::vector<v1::Customer>> ListCustomers(const CustomerFilter& filter,
                                                          absl::string_view after_id,
                                                          int limit) override;
  absl::StatusOr<v1::Identifier> AddIdentifier(absl::string_view customer_id,
                                               const NormalizedIdentifier& id,
                                               const ChangeContext& context) override;
  absl::Status RemoveIdentifier(absl::string_view customer_id, const NormalizedIdentifier& id,
                                const ChangeContext& context) override;
  absl::StatusOr<v1::Customer> LookupCustomer(const NormalizedIdentifier& id) override;
  absl::StatusOr<std::vector<HistoryRow>> GetHistory(absl::string_view customer_id,
                                                     int64_t before_entry, int limit) override;
  absl::StatusOr<v1::Customer> SetLifecycleStatus(absl::string_view customer_id,
                                                  v1::LifecycleStatus status,
                                                  const ChangeContext& context) override;
  absl::StatusOr<v1::Contact> RecordContact(const RequestKey& key,
                                            const v1::Contact& contact) override;
  absl::StatusOr<std::vector<v1::Contact>> ListContacts(absl::string_view customer_id,
                                                        absl::string_view before,
                                                        int limit) override;
  absl::StatusOr<std::vector<v1::Consent>> RecordConsent(absl::string_view customer_id,
                                                         v1::ConsentPurpose purpose, bool granted,
                                                         const ChangeContext& context) override;
  absl::StatusOr<v1::Customer> EraseCustomer(absl::string_view customer_id,
                                             const ChangeContext& context) override;
  absl::Status AuditAccess(absl::string_view principal, absl::string_view peer,
                           absl::string_view method, absl::string_view customer_id) override;

 private:
  absl::StatusOr<v1::Customer> Reread(absl::string_view customer_id);

  MysqlPool* pool_;
  const Clock* clock_;
  const DataKey* key_;
};

}  // namespace crm::identify

#endif  // CRM_SERVICES_IDENTIFY_MYSQL_IDENTIFY_STORE_H_
