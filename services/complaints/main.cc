// The complaints service: every complaint to a satisfied close, on time.
#include "absl/flags/flag.h"
#include "common/event_feed.h"
#include "common/feed_follower.h"
#include "common/log.h"
#include "common/periodic.h"
#include "common/service_main.h"
#include "services/complaints/complaints_grpc.h"
#include "services/complaints/customer_merges.h"
#include "services/identify/client/merge_sink.h"
#include "services/complaints/mysql_complaints_store.h"
#include "services/identify/client/identify_client.h"

ABSL_FLAG(std::string, identify_target, "127.0.0.1:50051",
          "The identify service: resolves complainants, records the contact");
ABSL_FLAG(std::string, loyalty_target, "127.0.0.1:50052",
          "The loyalty service: grants compensation points");
ABSL_FLAG(std::string, segment_target, "127.0.0.1:50054",
          "The segment service: the complainant's value tier and SLA class");
ABSL_FLAG(absl::Duration, sla_sweep_interval, absl::Seconds(30),
          "How often this replica runs the SLA sweep (escalations); 0 never. Safe on every "
          "replica at once");
ABSL_FLAG(absl::Duration, pending_calls_interval, absl::Seconds(1),
          "How often this replica retries calls to identify and loyalty that have not "
          "succeeded yet; 0 never");

int main(int argc, char** argv) {
  crm::InitProcess(argc, argv, "complaints");
  auto env = crm::ServiceEnvironment::FromFlags("complaints", 50053, 9103,
                                                crm::complaints::Migrations());
  if (!env.ok()) return crm::ExitOnConfigError(env.status());
  if ((*env)->migrate_only()) return (*env)->MigrateAndExit();
  crm::complaints::MysqlComplaintsStore store(&(*env)->pool(), &(*env)->clock());
  crm::identify::IdentifyClient customers((*env)->PeerChannelTo(absl::GetFlag(FLAGS_identify_target)));
  crm::complaints::SegmentTiers tiers((*env)->PeerChannelTo(absl::GetFlag(FLAGS_segment_target)));
  crm::complaints::LoyaltyPoints points((*env)->PeerChannelTo(absl::GetFlag(FLAGS_loyalty_target)));
  crm::complaints::ComplaintsService service(&store, &(*env)->clock(), &(*env)->ids(),
                                             {&customers, &tiers, &points});
  crm::complaints::ComplaintsGrpc adapter(&service);
  crm::Periodic sweep(absl::GetFlag(FLAGS_sla_sweep_interval), [&] {
    auto swept = service.RunSlaSweep({});
    if (!swept.ok()) crm::log::Warn("sla_sweep failed", {{"error", swept.status().ToString()}});
  });
  crm::Periodic pending(absl::GetFlag(FLAGS_pending_calls_interval),
                        [&] { service.RunPendingCalls((*env)->clock().Now(), 500); });
  // Complaints follow their customer through identify's merges and unmerges.
  crm::TransactionalFeedSink merges(
      &(*env)->pool(),
      crm::identify::FollowMerges(crm::complaints::MoveToSurvivor, crm::complaints::MoveBack));
  crm::FeedFollower merge_feed(&merges, &(*env)->clock(),
                               (*env)->PeerChannelTo(absl::GetFlag(FLAGS_identify_target)),
                               "identify", crm::identify::MergeEventTypes(),
                               crm::FeedHolderName());
  merge_feed.Start();
  crm::OutboxReader outbox(&(*env)->pool());
  crm::EventFeedGrpc feed(&outbox);
  crm::Periodic prune(absl::Hours(1), [&] {
    (void)outbox.Prune((*env)->clock().Now() - crm::EventRetention());
  });
  return (*env)->Serve(
      {{&adapter, crm::complaints::v1::ComplaintsService::service_full_name()},
       {&feed, crm::events::v1::EventFeedService::service_full_name()}});
}
