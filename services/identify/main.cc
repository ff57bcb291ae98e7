// The identify service: who a customer is.
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/data_key.h"
#include "common/event_feed.h"
#include "common/feed_follower.h"
#include "common/log.h"
#include "common/periodic.h"
#include "common/service_main.h"
#include "services/identify/identify_grpc.h"
#include "services/identify/mysql_identify_store.h"
#include "services/identify/mysql_match_store.h"
#include "services/identify/purchase_lifecycle.h"
#include "services/identify/reindex.h"

ABSL_FLAG(std::string, data_key_file, "",
          "File with the 64-hex-character key that seals personal data (required)");
ABSL_FLAG(std::string, default_region, "CN",
          "ISO 3166-1 alpha-2 region of phone numbers given without a country code");
ABSL_FLAG(std::string, identifier_blocklist_file, "",
          "Optional file of identifier values that must never link customers");
ABSL_FLAG(int, junk_after_conflicting_names, 3,
          "An identifier presented with this many different names, each clearly not its "
          "holder's, never links customers again (at least 2)");
ABSL_FLAG(bool, allow_full_view, false,
          "Let callers read unmasked personal data (CUSTOMER_VIEW_FULL); every such read is "
          "audited");
ABSL_FLAG(std::string, loyalty_target, "127.0.0.1:50052",
          "The loyalty service, whose purchases move customers' lifecycle status (first_time, "
          "repeat); empty: do not follow");
ABSL_FLAG(bool, reindex, false,
          "Rewrite every customer's read view, match record and blocking keys, then exit "
          "(after an upgrade or a change to the blocking keys; safe beside serving replicas)");
ABSL_FLAG(std::string, reindex_after, "",
          "With --reindex: resume after this customer id (the last one logged)");

namespace {

int ReindexAndExit(crm::ServiceEnvironment& env, const crm::DataKey& key) {
  if (absl::Status s = env.VerifySchema(); !s.ok()) {
    crm::log::Error("reindex: schema not ready", {{"error", s.ToString()}});
    return 1;
  }
  auto done = crm::identify::ReindexCustomers(
      env.pool(), key, absl::GetFlag(FLAGS_reindex_after), 200,
      [](const crm::identify::ReindexProgress& p) {
        if (p.customers % 10000 < 200) {
          crm::log::Info("reindex progress", {{"customers", absl::StrCat(p.customers)},
                                              {"last_id", p.last_id}});
        }
      });
  if (!done.ok()) {
    crm::log::Error("reindex failed", {{"error", done.status().ToString()}});
    return 1;
  }
  crm::log::Info("reindex done", {{"customers", absl::StrCat(done->customers)}});
  return 0;
}

absl::StatusOr<crm::identify::IdentifyOptions> OptionsFromFlags() {
  crm::identify::IdentifyOptions options;
  options.default_region = absl::GetFlag(FLAGS_default_region);
  options.junk_after_conflicting_names = absl::GetFlag(FLAGS_junk_after_conflicting_names);
  if (options.junk_after_conflicting_names < 2) {
    return absl::InvalidArgumentError("--junk_after_conflicting_names must be at least 2");
  }
  if (const std::string path = absl::GetFlag(FLAGS_identifier_blocklist_file); !path.empty()) {
    auto junk = crm::identify::JunkIdentifiers::FromFile(path, options.default_region);
    if (!junk.ok()) return junk.status();
    options.junk = *std::move(junk);
  }
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  crm::InitProcess(argc, argv, "identify");
  auto env = crm::ServiceEnvironment::FromFlags("identify", 50051, 9101,
                                                crm::identify::Migrations());
  if (!env.ok()) return crm::ExitOnConfigError(env.status());
  if ((*env)->migrate_only()) return (*env)->MigrateAndExit();
  auto key = crm::DataKey::FromFile(absl::GetFlag(FLAGS_data_key_file));
  if (!key.ok()) return crm::ExitOnConfigError(key.status());
  if (absl::GetFlag(FLAGS_reindex)) return ReindexAndExit(**env, *key);
  auto options = OptionsFromFlags();
  if (!options.ok()) return crm::ExitOnConfigError(options.status());
  crm::identify::MysqlIdentifyStore store(&(*env)->pool(), &(*env)->clock(), &*key);
  crm::identify::IdentifyService customers(&store, &(*env)->clock(), &(*env)->ids(), *options);
  crm::identify::MysqlMatchStore match_store(&(*env)->pool(), &(*env)->clock(), &*key);
  crm::identify::MatchingService matching(&match_store, &customers, &store, &(*env)->clock(),
                                          &(*env)->ids(), *options);
  crm::identify::IdentifyGrpc adapter(&customers, &matching, absl::GetFlag(FLAGS_allow_full_view),
                                      (*env)->authorizer());
  crm::TransactionalFeedSink lifecycle(&(*env)->pool(), crm::identify::FollowPurchases(&*key));
  std::unique_ptr<crm::FeedFollower> purchases;
  if (const std::string target = absl::GetFlag(FLAGS_loyalty_target); !target.empty()) {
    purchases = std::make_unique<crm::FeedFollower>(
        &lifecycle, &(*env)->clock(), (*env)->PeerChannelTo(target), "loyalty",
        crm::identify::PurchaseEventTypes(), crm::FeedHolderName());
    purchases->Start();
  }
  crm::OutboxReader outbox(&(*env)->pool());
  crm::EventFeedGrpc feed(&outbox);
  crm::Periodic prune(absl::Hours(1), [&] {
    (void)outbox.Prune((*env)->clock().Now() - crm::EventRetention());
  });
  return (*env)->Serve({{&adapter, crm::identify::v1::IdentifyService::service_full_name()},
                        {&feed, crm::events::v1::EventFeedService::service_full_name()}});
}
