// The identify service: who a customer is.
#include "absl/flags/flag.h"
#include "common/data_key.h"
#include "common/service_main.h"
#include "services/identify/identify_grpc.h"
#include "services/identify/mysql_identify_store.h"
#include "services/identify/mysql_match_store.h"

ABSL_FLAG(std::string, data_key_file, "",
          "File with the 64-hex-character key that seals personal data (required)");
ABSL_FLAG(std::string, default_region, "CN",
          "ISO 3166-1 alpha-2 region of phone numbers given without a country code");
ABSL_FLAG(std::string, identifier_blocklist_file, "",
          "Optional file of identifier values that must never link customers");
ABSL_FLAG(bool, allow_full_view, false,
          "Let callers read unmasked personal data (CUSTOMER_VIEW_FULL); every such read is "
          "audited");

namespace {

absl::StatusOr<crm::identify::IdentifyOptions> OptionsFromFlags() {
  crm::identify::IdentifyOptions options;
  options.default_region = absl::GetFlag(FLAGS_default_region);
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
  auto options = OptionsFromFlags();
  if (!options.ok()) return crm::ExitOnConfigError(options.status());
  crm::identify::MysqlIdentifyStore store(&(*env)->pool(), &(*env)->clock(), &*key);
  crm::identify::IdentifyService customers(&store, &(*env)->clock(), &(*env)->ids(), *options);
  crm::identify::MysqlMatchStore match_store(&(*env)->pool(), &(*env)->clock(), &*key);
  crm::identify::MatchingService matching(&match_store, &customers, &store, &(*env)->clock(),
                                          &(*env)->ids(), *options);
  crm::identify::IdentifyGrpc adapter(&customers, &matching, absl::GetFlag(FLAGS_allow_full_view));
  return (*env)->Serve(
      {{&adapter, crm::identify::v1::IdentifyService::service_full_name()}});
}
