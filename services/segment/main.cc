// The segment service: value tiers, segments, scores and warnings.
#include "common/service_main.h"
#include "services/segment/mysql_segment_store.h"
#include "services/segment/segment_grpc.h"

int main(int argc, char** argv) {
  crm::InitProcess(argc, argv, "segment");
  auto env = crm::ServiceEnvironment::FromFlags("segment", 50054, 9104,
                                                crm::segment::Migrations());
  if (!env.ok()) return crm::ExitOnConfigError(env.status());
  if ((*env)->migrate_only()) return (*env)->MigrateAndExit();
  crm::segment::MysqlSegmentStore store(&(*env)->pool());
  crm::segment::SegmentService service(&store, &(*env)->clock());
  crm::segment::SegmentGrpc adapter(&service);
  return (*env)->Serve({{&adapter, crm::segment::v1::SegmentService::service_full_name()}});
}
