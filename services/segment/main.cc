// The segment service: value tiers, segments, scores and warnings.
#include "absl/flags/flag.h"
#include "common/event_feed.h"
#include "common/periodic.h"
#include "common/service_main.h"
#include "services/identify/client/merge_sink.h"
#include "services/segment/customer_merges.h"
#include "services/segment/feed_follower.h"
#include "services/segment/mysql_segment_store.h"
#include "services/segment/segment_grpc.h"

ABSL_FLAG(std::string, loyalty_target, "127.0.0.1:50052",
          "The loyalty service, whose change feed (purchases, returns) segment follows; "
          "empty: do not follow");
ABSL_FLAG(std::string, complaints_target, "127.0.0.1:50053",
          "The complaints service, whose change feed segment follows; empty: do not follow");
ABSL_FLAG(std::string, identify_target, "127.0.0.1:50051",
          "The identify service, whose merges and unmerges segment's aggregates follow; empty: "
          "do not follow");

int main(int argc, char** argv) {
  crm::InitProcess(argc, argv, "segment");
  auto env = crm::ServiceEnvironment::FromFlags("segment", 50054, 9104,
                                                crm::segment::Migrations());
  if (!env.ok()) return crm::ExitOnConfigError(env.status());
  if ((*env)->migrate_only()) return (*env)->MigrateAndExit();
  crm::segment::MysqlSegmentStore store(&(*env)->pool());
  crm::segment::MysqlValueStore values(&(*env)->pool());
  crm::segment::MysqlSegmentsStore segments(&(*env)->pool(), &(*env)->clock());
  crm::segment::MysqlWarningsStore warnings(&(*env)->pool(), &(*env)->ids());
  crm::segment::Recomputer recomputer(&values, &(*env)->clock(), &(*env)->ids(),
                                      {&segments, &warnings});
  crm::segment::SegmentService service(
      &store, &(*env)->clock(), {&values, &recomputer, &segments, &warnings, &(*env)->ids()});
  crm::segment::SegmentGrpc adapter(&service);
  const std::string holder = crm::FeedHolderName();
  // The sinks outlive the followers whose threads use them (declared first).
  std::vector<std::unique_ptr<crm::segment::AggregateSink>> sinks;
  crm::TransactionalFeedSink merges(
      &(*env)->pool(),
      crm::identify::FollowMerges(crm::segment::MergeAggregates, crm::segment::UnmergeAggregates));
  std::vector<std::unique_ptr<crm::FeedFollower>> followers;
  auto follow = [&](const std::string& target, const char* source,
                    std::vector<std::string> types, crm::segment::EventHandler handler) {
    if (target.empty()) return;
    sinks.push_back(std::make_unique<crm::segment::AggregateSink>(&values, std::move(handler)));
    followers.push_back(std::make_unique<crm::FeedFollower>(
        sinks.back().get(), &(*env)->clock(), (*env)->PeerChannelTo(target), source,
        std::move(types), holder));
    followers.back()->Start();
  };
  follow(absl::GetFlag(FLAGS_loyalty_target), "loyalty", crm::segment::LoyaltyEventTypes(),
         crm::segment::ApplyLoyaltyEvent);
  follow(absl::GetFlag(FLAGS_complaints_target), "complaints",
         crm::segment::ComplaintEventTypes(), crm::segment::ApplyComplaintEvent);
  if (const std::string target = absl::GetFlag(FLAGS_identify_target); !target.empty()) {
    followers.push_back(std::make_unique<crm::FeedFollower>(
        &merges, &(*env)->clock(), (*env)->PeerChannelTo(target), "identify",
        crm::identify::MergeEventTypes(), holder));
    followers.back()->Start();
  }
  crm::OutboxReader outbox(&(*env)->pool());
  crm::EventFeedGrpc feed(&outbox);
  crm::Periodic prune(absl::Hours(1),
                      [&] { (void)outbox.Prune((*env)->clock().Now() - crm::EventRetention()); });
  return (*env)->Serve({{&adapter, crm::segment::v1::SegmentService::service_full_name()},
                        {&feed, crm::events::v1::EventFeedService::service_full_name()}});
}
