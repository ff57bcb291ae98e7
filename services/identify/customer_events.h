#ifndef CRM_SERVICES_IDENTIFY_CUSTOMER_EVENTS_H_
#define CRM_SERVICES_IDENTIFY_CUSTOMER_EVENTS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "cppconn/connection.h"
#include "crm/identify/v1/events.pb.h"
#include "services/identify/customer_changes.h"

namespace crm::identify::events {

// Each appends one event of identify's change feed inside the caller's
// transaction (see crm/identify/v1/events.proto). No personal data.
void Created(sql::Connection& conn, const v1::Customer& customer);
// The top-level fields of `changes` ("person.given_name" -> "person").
void Updated(sql::Connection& conn, absl::string_view customer_id,
             const std::vector<FieldChange>& changes);
void Merged(sql::Connection& conn, absl::string_view merge_id, absl::string_view survivor_id,
            absl::string_view merged_id);
void Unmerged(sql::Connection& conn, absl::string_view merge_id, absl::string_view survivor_id,
              absl::string_view restored_id);
void Erased(sql::Connection& conn, absl::string_view customer_id);
void LifecycleChanged(sql::Connection& conn, absl::string_view customer_id,
                      v1::LifecycleStatus from, v1::LifecycleStatus to);

}  // namespace crm::identify::events

#endif  // CRM_SERVICES_IDENTIFY_CUSTOMER_EVENTS_H_
