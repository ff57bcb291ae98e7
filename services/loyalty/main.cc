// The loyalty service: purchases, points and membership.
#include "common/service_main.h"
#include "services/loyalty/loyalty_grpc.h"
#include "services/loyalty/mysql_loyalty_store.h"

int main(int argc, char** argv) {
  crm::InitProcess(argc, argv, "loyalty");
  auto env = crm::ServiceEnvironment::FromFlags("loyalty", 50052, 9102,
                                                crm::loyalty::Migrations());
  if (!env.ok()) return crm::ExitOnConfigError(env.status());
  if ((*env)->migrate_only()) return (*env)->MigrateAndExit();
  crm::loyalty::MysqlLoyaltyStore store(&(*env)->pool(), &(*env)->clock());
  crm::loyalty::LoyaltyService service(&store, &(*env)->clock(), &(*env)->ids());
  crm::loyalty::LoyaltyGrpc adapter(&service);
  return (*env)->Serve({{&adapter, crm::loyalty::v1::LoyaltyService::service_full_name()}});
}
