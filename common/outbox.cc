#include "common/outbox.h"

#include <sstream>
#include <string>

#include "common/sql_util.h"

namespace crm {

void AppendEvent(sql::Connection& conn, absl::string_view aggregate_id,
                 const google::protobuf::Message& event, absl::Time now) {
  auto insert = Prepare(conn,
                        "INSERT INTO outbox_events (event_type, aggregate_id, payload, created_at) "
                        "VALUES (?, ?, ?, ?)");
  std::istringstream payload(event.SerializeAsString());
  insert->setString(1, event.GetDescriptor()->full_name());
  insert->setString(2, std::string(aggregate_id));
  insert->setBlob(3, &payload);
  insert->setString(4, ToSqlDatetime(now));
  insert->executeUpdate();
}

}  // namespace crm
