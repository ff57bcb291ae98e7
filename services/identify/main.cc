// The identify service: who a customer is.
#include "common/service_main.h"
#include "services/identify/identify_grpc.h"
#include "services/identify/mysql_identify_store.h"

int main(int argc, char** argv) {
  crm::InitProcess(argc, argv, "identify");
  auto env = crm::ServiceEnvironment::FromFlags("identify", 50051, 9101,
                                                crm::identify::Migrations());
  if (!env.ok()) return crm::ExitOnConfigError(env.status());
  if ((*env)->migrate_only()) return (*env)->MigrateAndExit();
  crm::identify::MysqlIdentifyStore store(&(*env)->pool(), &(*env)->clock());
  crm::identify::IdentifyService service(&store, &(*env)->clock(), &(*env)->ids());
  crm::identify::IdentifyGrpc adapter(&service);
  return (*env)->Serve(
      {{&adapter, crm::identify::v1::IdentifyService::service_full_name()}});
}
