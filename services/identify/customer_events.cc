#include "services/identify/customer_events.h"

#include <set>

#include "absl/time/clock.h"
#include "common/outbox.h"

namespace crm::identify::events {

void Created(sql::Connection& conn, const v1::Customer& customer) {
  v1::CustomerCreated event;
  event.set_customer_id(customer.customer_id());
  event.set_kind(customer.kind());
  event.set_category(customer.category());
  event.set_lifecycle_status(customer.lifecycle_status());
  AppendEvent(conn, customer.customer_id(), event, absl::Now());
}

void Updated(sql::Connection& conn, absl::string_view customer_id,
             const std::vector<FieldChange>& changes) {
  std::set<std::string> fields;
  for (const FieldChange& change : changes)
    fields.insert(change.field.substr(0, change.field.find('.')));
  v1::CustomerUpdated event;
  event.set_customer_id(std::string(customer_id));
  for (const std::string& field : fields) event.add_fields(field);
  AppendEvent(conn, customer_id, event, absl::Now());
}

void Merged(sql::Connection& conn, absl::string_view merge_id, absl::string_view survivor_id,
            absl::string_view merged_id) {
  v1::CustomerMerged event;
  event.set_merge_id(std::string(merge_id));
  event.set_survivor_id(std::string(survivor_id));
  event.set_merged_id(std::string(merged_id));
  AppendEvent(conn, survivor_id, event, absl::Now());
}

void Unmerged(sql::Connection& conn, absl::string_view merge_id, absl::string_view survivor_id,
              absl::string_view restored_id) {
  v1::CustomerUnmerged event;
  event.set_merge_id(std::string(merge_id));
  event.set_survivor_id(std::string(survivor_id));
  event.set_restored_id(std::string(restored_id));
  AppendEvent(conn, survivor_id, event, absl::Now());
}

void Erased(sql::Connection& conn, absl::string_view customer_id) {
  v1::CustomerErased event;
  event.set_customer_id(std::string(customer_id));
  AppendEvent(conn, customer_id, event, absl::Now());
}

void LifecycleChanged(sql::Connection& conn, absl::string_view customer_id,
                      v1::LifecycleStatus from, v1::LifecycleStatus to) {
  v1::LifecycleChanged event;
  event.set_customer_id(std::string(customer_id));
  event.set_from(from);
  event.set_to(to);
  AppendEvent(conn, customer_id, event, absl::Now());
}

}  // namespace crm::identify::events
