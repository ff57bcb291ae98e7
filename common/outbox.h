#ifndef CRM_COMMON_OUTBOX_H_
#define CRM_COMMON_OUTBOX_H_

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "cppconn/connection.h"
#include "google/protobuf/message.h"

namespace crm {

// Appends `event` to the service's outbox (common/schema/outbox_events.sql)
// inside the caller's transaction, so the event exists exactly when the
// change it describes commits. Its type is the message's full name. Its
// time is the database's clock when it is written (the feed measures gaps
// on that clock, whatever the callers' clocks say); `now` is unused.
void AppendEvent(sql::Connection& conn, absl::string_view aggregate_id,
                 const google::protobuf::Message& event, absl::Time now);

// AppendEvent for many events at once, in multi-row statements (in order).
struct OutboxEvent {
  std::string aggregate_id;
  const google::protobuf::Message* event = nullptr;
};
void AppendEvents(sql::Connection& conn, absl::Span<const OutboxEvent> events);

}  // namespace crm

#endif  // CRM_COMMON_OUTBOX_H_
