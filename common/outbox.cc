#include "common/outbox.h"

#include <algorithm>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
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

void AppendEvents(sql::Connection& conn, absl::Span<const OutboxEvent> events) {
  constexpr size_t kRows = 500;
  for (size_t start = 0; start < events.size(); start += kRows) {
    const size_t n = std::min(kRows, events.size() - start);
    std::string sql =
        "INSERT INTO outbox_events (event_type, aggregate_id, payload, created_at) VALUES ";
    for (size_t i = 0; i < n; ++i)
      absl::StrAppend(&sql, i ? ", " : "", "(?, ?, ?, UTC_TIMESTAMP(6))");
    auto insert = n == kRows ? Prepare(conn, sql) : PrepareUncached(conn, sql);
    std::vector<std::unique_ptr<std::istringstream>> payloads;
    for (size_t i = 0; i < n; ++i) {
      const OutboxEvent& e = events[start + i];
      payloads.push_back(std::make_unique<std::istringstream>(e.event->SerializeAsString()));
      const int c = static_cast<int>(i * 3);
      insert->setString(c + 1, e.event->GetDescriptor()->full_name());
      insert->setString(c + 2, e.aggregate_id);
      insert->setBlob(c + 3, payloads.back().get());
    }
    insert->executeUpdate();
  }
}

}  // namespace crm
