#include "services/identify/purchase_lifecycle.h"

#include "common/errors.h"
#include "common/sql_util.h"
#include "crm/loyalty/v1/events.pb.h"
#include "services/identify/mysql_identify_store.h"

namespace crm::identify {
namespace {

// The customer's purchases so far, this one included.
int CountPurchase(sql::Connection& conn, const std::string& customer_id, absl::Time at) {
  auto add = Prepare(conn,
                     "INSERT INTO customer_purchase_counts (customer_id, purchases, "
                     "last_purchase_at) VALUES (?, 1, ?) ON DUPLICATE KEY UPDATE "
                     "purchases = purchases + 1, last_purchase_at = GREATEST(last_purchase_at, "
                     "VALUES(last_purchase_at))");
  add->setString(1, customer_id);
  add->setString(2, ToSqlDatetime(at));
  add->executeUpdate();
  auto read = Prepare(conn, "SELECT purchases FROM customer_purchase_counts WHERE customer_id = ?");
  read->setString(1, customer_id);
  std::unique_ptr<sql::ResultSet> rs(read->executeQuery());
  return rs->next() ? rs->getInt(1) : 1;
}

}  // namespace

v1::LifecycleStatus AfterPurchase(v1::LifecycleStatus current, int purchases) {
  switch (current) {
    case v1::LIFECYCLE_STATUS_LOYAL:
    case v1::LIFECYCLE_STATUS_NON_CUSTOMER:
      return current;
    default:
      return purchases >= 2 ? v1::LIFECYCLE_STATUS_REPEAT : v1::LIFECYCLE_STATUS_FIRST_TIME;
  }
}

std::vector<std::string> PurchaseEventTypes() {
  return {loyalty::v1::PurchaseRecorded::descriptor()->full_name()};
}

TransactionalFeedSink::Apply FollowPurchases(const DataKey* key) {
  return [key](sql::Connection& conn, const events::v1::Event& e, absl::Time now) -> absl::Status {
    loyalty::v1::PurchaseRecorded purchase;
    if (!e.payload().UnpackTo(&purchase) || purchase.customer_id().empty()) {
      return absl::OkStatus();
    }
    ChangeContext context;
    context.source.set_system("loyalty");
    context.source.set_actor("purchase " + purchase.purchase().purchase_id());
    context.reason = "purchase";
    context.now = now;
    const absl::Time at = FromProtoTimestamp(purchase.purchase().purchase_time());
    // Follow merge redirects under the customer's lock: a merge committed
    // while this batch runs sends the purchase to the survivor.
    std::string customer = purchase.customer_id();
    for (int hop = 0; hop < 32; ++hop) {
      auto changed = ChangeLifecycle(
          conn, *key, customer,
          [&](v1::LifecycleStatus current) {
            return AfterPurchase(current, CountPurchase(conn, customer, at));
          },
          context);
      if (changed.ok()) return absl::OkStatus();
      if (ReasonOf(changed.status()) == "CUSTOMER_MERGED") {
        customer = MetadataOf(changed.status())["survivor_id"];
        continue;
      }
      // Unknown or erased: no status to move.
      if (changed.status().code() == absl::StatusCode::kNotFound ||
          changed.status().code() == absl::StatusCode::kFailedPrecondition) {
        return absl::OkStatus();
      }
      return changed.status();
    }
    return absl::InternalError("merge redirects of " + purchase.customer_id() + " form a loop");
  };
}

}  // namespace crm::identify
