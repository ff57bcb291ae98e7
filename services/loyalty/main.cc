// The loyalty service: purchases, points and membership.
#include "absl/flags/flag.h"
#include "common/event_feed.h"
#include "common/feed_follower.h"
#include "common/periodic.h"
#include "common/service_main.h"
#include "services/identify/client/identify_client.h"
#include "services/identify/client/merge_sink.h"
#include "services/loyalty/customer_merges.h"
#include "services/loyalty/loyalty_grpc.h"
#include "services/loyalty/mysql_loyalty_store.h"

ABSL_FLAG(std::string, identify_target, "127.0.0.1:50051",
          "The identify service, which resolves customer identifiers and whose merges "
          "memberships follow (dns:///host:port balances over its replicas)");

int main(int argc, char** argv) {
  crm::InitProcess(argc, argv, "loyalty");
  auto env = crm::ServiceEnvironment::FromFlags("loyalty", 50052, 9102,
                                                crm::loyalty::Migrations());
  if (!env.ok()) return crm::ExitOnConfigError(env.status());
  if ((*env)->migrate_only()) return (*env)->MigrateAndExit();
  crm::loyalty::MysqlLoyaltyStore store(&(*env)->pool(), &(*env)->clock());
  crm::identify::IdentifyClient customers(
      (*env)->PeerChannelTo(absl::GetFlag(FLAGS_identify_target)));
  crm::loyalty::LoyaltyService service(&store, &(*env)->clock(), &(*env)->ids(), &customers);
  crm::loyalty::LoyaltyGrpc adapter(&service);
  // Memberships and points follow identify's merges and unmerges.
  crm::TransactionalFeedSink merges(
      &(*env)->pool(),
      crm::identify::FollowMerges(crm::loyalty::MoveToSurvivor, crm::loyalty::MoveBack));
  crm::FeedFollower merge_feed(&merges, &(*env)->clock(),
                               (*env)->PeerChannelTo(absl::GetFlag(FLAGS_identify_target)),
                               "identify", crm::identify::MergeEventTypes(), crm::FeedHolderName());
  merge_feed.Start();
  crm::OutboxReader outbox(&(*env)->pool());
  crm::EventFeedGrpc feed(&outbox);
  crm::Periodic prune(absl::Hours(1), [&] {
    (void)outbox.Prune((*env)->clock().Now() - crm::EventRetention());
  });
  return (*env)->Serve({{&adapter, crm::loyalty::v1::LoyaltyService::service_full_name()},
                        {&feed, crm::events::v1::EventFeedService::service_full_name()}});
}
