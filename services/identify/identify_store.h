#ifndef CRM_SERVICES_IDENTIFY_IDENTIFY_STORE_H_
#define CRM_SERVICES_IDENTIFY_IDENTIFY_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/idempotency.h"
#include "crm/identify/v1/identify.pb.h"
#include "services/identify/identifier_rules.h"

namespace crm::identify {

// A customer to insert: validated data with its id, timestamps and etag set.
struct NewCustomer {
  v1::Customer customer;
  std::vector<NormalizedIdentifier> identifiers;
  v1::Source source;
};

// A customer as read, with identifiers in clear (national ids empty).
struct FoundCustomer {
  v1::Customer customer;
  // The id that was asked for when it had been merged into `customer`.
  std::string redirected_from;
};

struct CustomerFilter {
  v1::CustomerKind kind = v1::CUSTOMER_KIND_UNSPECIFIED;
  v1::CustomerCategory category = v1::CUSTOMER_CATEGORY_UNSPECIFIED;
  v1::LifecycleStatus lifecycle_status = v1::LIFECYCLE_STATUS_UNSPECIFIED;
  std::optional<absl::Time> updated_since;
};

struct HistoryRow {
  int64_t entry_id = 0;
  v1::HistoryEntry entry;
};

// What a change of a customer's data is, for the history.
struct ChangeContext {
  v1::Source source;
  std::string reason;
  absl::Time now;
};

// Persistence of the identify service. Personal data is sealed at rest by the
// implementation; callers see clear values and mask them for responses.
class IdentifyStore {
 public:
  virtual ~IdentifyStore() = default;

  // Inserts the customer and its identifiers; ALREADY_EXISTS /
  // IDENTIFIER_TAKEN when another customer holds one of them. A replay of
  // `key` returns the first result and inserts nothing.
  virtual absl::StatusOr<v1::Customer> CreateCustomer(const RequestKey& key,
                                                      const NewCustomer& customer) = 0;

  // Follows merge redirects. NOT_FOUND / CUSTOMER_NOT_FOUND when absent.
  virtual absl::StatusOr<FoundCustomer> GetCustomer(absl::string_view customer_id) = 0;

  // Loads the customer under a row lock, checks `etag` (when not empty),
  // lets `mutate` change it, then writes the data and one history entry per
  // changed field. FAILED_PRECONDITION / CUSTOMER_MERGED or CUSTOMER_ERASED
  // for customers that cannot change.
  virtual absl::StatusOr<v1::Customer> UpdateCustomer(
      const RequestKey& key, absl::string_view customer_id, absl::string_view etag,
      const ChangeContext& context, absl::FunctionRef<absl::Status(v1::Customer&)> mutate) = 0;

  // Active customers with customer_id > after_id, in id order.
  virtual absl::StatusOr<std::vector<v1::Customer>> ListCustomers(const CustomerFilter& filter,
                                                                  absl::string_view after_id,
                                                                  int limit) = 0;

  // Adds `id` to an active customer; OK without change when it already holds
  // it, ALREADY_EXISTS / IDENTIFIER_TAKEN when someone else does.
  virtual absl::StatusOr<v1::Identifier> AddIdentifier(absl::string_view customer_id,
                                                       const NormalizedIdentifier& id,
                                                       const ChangeContext& context) = 0;
  virtual absl::Status RemoveIdentifier(absl::string_view customer_id,
                                        const NormalizedIdentifier& id,
                                        const ChangeContext& context) = 0;
  // NOT_FOUND / IDENTIFIER_NOT_FOUND when no live customer holds it.
  virtual absl::StatusOr<v1::Customer> LookupCustomer(const NormalizedIdentifier& id) = 0;

  // History entries with entry_id < before_entry (0: from the newest),
  // newest first.
  virtual absl::StatusOr<std::vector<HistoryRow>> GetHistory(absl::string_view customer_id,
                                                             int64_t before_entry,
                                                             int limit) = 0;

  virtual absl::StatusOr<v1::Customer> SetLifecycleStatus(absl::string_view customer_id,
                                                          v1::LifecycleStatus status,
                                                          const ChangeContext& context) = 0;

  // The contact must name an existing customer (merged ids are followed).
  virtual absl::StatusOr<v1::Contact> RecordContact(const RequestKey& key,
                                                    const v1::Contact& contact) = 0;
  // Newest first, strictly older than `before` (contact_time|contact_id),
  // "" for the first page.
  virtual absl::StatusOr<std::vector<v1::Contact>> ListContacts(absl::string_view customer_id,
                                                                absl::string_view before,
                                                                int limit) = 0;

  // Records a consent decision; returns all of the customer's consents.
  virtual absl::StatusOr<std::vector<v1::Consent>> RecordConsent(absl::string_view customer_id,
                                                                 v1::ConsentPurpose purpose,
                                                                 bool granted,
                                                                 const ChangeContext& context) = 0;
  // Pseudonymises the customer (and the customers merged into it) in one
  // transaction; see EraseCustomer in identify.proto.
  virtual absl::StatusOr<v1::Customer> EraseCustomer(absl::string_view customer_id,
                                                     const ChangeContext& context) = 0;

  // Writes one row of the access audit (a read of unmasked personal data).
  virtual absl::Status AuditAccess(absl::string_view principal, absl::string_view peer,
                                   absl::string_view method, absl::string_view customer_id) = 0;
};

}  // namespace crm::identify

#endif  // CRM_SERVICES_IDENTIFY_IDENTIFY_STORE_H_
