// The complaints service: every complaint to a satisfied close, on time.
#include "common/service_main.h"
#include "services/complaints/complaints_grpc.h"
#include "services/complaints/mysql_complaints_store.h"

int main(int argc, char** argv) {
  crm::InitProcess(argc, argv, "complaints");
  auto env = crm::ServiceEnvironment::FromFlags("complaints", 50053, 9103,
                                                crm::complaints::Migrations());
  if (!env.ok()) return crm::ExitOnConfigError(env.status());
  if ((*env)->migrate_only()) return (*env)->MigrateAndExit();
  crm::complaints::MysqlComplaintsStore store(&(*env)->pool(), &(*env)->clock());
  crm::complaints::ComplaintsService service(&store, &(*env)->clock(), &(*env)->ids());
  crm::complaints::ComplaintsGrpc adapter(&service);
  return (*env)->Serve(
      {{&adapter, crm::complaints::v1::ComplaintsService::service_full_name()}});
}
