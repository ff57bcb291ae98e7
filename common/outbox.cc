#include "common/outbox.h"

#include <sstream>
#include <string>

#include "common/sql_util.h"

namespace crm {

void AppendEvent(sql::Connection& conn, absl::string_view aggregate_id,
                 const google::protobuf::Message& event, absl::Time) {
  auto insert = Prepare(conn,
                        "INSERT INTO outbox_events (event_type, aggregate_id, payload, created_at) "
                        "VALUES (?, ?, ?, UTC_TIMESTAMP(6))");
  std::istringstream payload(event.SerializeAsString());
  insert->setString(1, event.GetDescriptor()->full_name());
  insert->setString(2, std::string(aggregate_id));
  insert->setBlob(3, &payload);
  insert->executeUpdate();
}

}  // namespace crm
