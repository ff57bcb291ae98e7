#ifndef CRM_SERVICES_IDENTIFY_PURCHASE_LIFECYCLE_H_
#define CRM_SERVICES_IDENTIFY_PURCHASE_LIFECYCLE_H_

#include <string>
#include <vector>

#include "common/data_key.h"
#include "common/feed_follower.h"
#include "crm/identify/v1/identify.pb.h"

namespace crm::identify {

// The lifecycle status a purchase moves a customer to, given its status and
// its purchases so far (this one included): the first purchase makes a
// potential, target or lost customer first_time, the second and later ones
// repeat; loyal stays loyal and non_customer is an operator's decision.
v1::LifecycleStatus AfterPurchase(v1::LifecycleStatus current, int purchases);

// Identify follows loyalty's change feed (PurchaseRecorded) for lifecycle
// status, as the handler of a TransactionalFeedSink: each purchase counts for
// its customer (the survivor when the customer was merged) and moves the
// status by AfterPurchase, with history and a LifecycleChanged event, in the
// transaction that advances the feed checkpoint. Purchases of unknown or
// erased customers are skipped.
std::vector<std::string> PurchaseEventTypes();
TransactionalFeedSink::Apply FollowPurchases(const DataKey* key);

}  // namespace crm::identify

#endif  // CRM_SERVICES_IDENTIFY_PURCHASE_LIFECYCLE_H_
