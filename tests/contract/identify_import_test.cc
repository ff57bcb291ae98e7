// ImportCustomers over a real client stream: every record is resolved, bad
// lines are rejected with their reason, and a re-sent file creates nothing.
#include "crm/identify/v1/identify.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/contract/service_process.h"

namespace crm {
namespace {

namespace v1 = identify::v1;

v1::ImportCustomersRequest Line(const std::string& ref, const std::string& given,
                                const std::string& family, const std::string& phone) {
  v1::ImportCustomersRequest r;
  r.set_import_id("fair-2026-11");
  r.mutable_source()->set_channel(v1::COLLECTION_CHANNEL_TRADE_FAIR);
  r.set_line_ref(ref);
  v1::Customer& c = *r.mutable_record();
  c.mutable_person()->set_given_name(given);
  c.mutable_person()->set_family_name(family);
  v1::Identifier& id = *c.add_identifiers();
  id.set_type(v1::IDENTIFIER_TYPE_PHONE);
  id.set_value(phone);
  return r;
}

v1::ImportCustomersResponse Import(v1::IdentifyService::Stub& stub,
                                   const std::vector<v1::ImportCustomersRequest>& lines) {
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
  v1::ImportCustomersResponse summary;
  auto writer = stub.ImportCustomers(&ctx, &summary);
  for (const auto& line : lines) EXPECT_TRUE(writer->Write(line));
  writer->WritesDone();
  const grpc::Status status = writer->Finish();
  EXPECT_TRUE(status.ok()) << status.error_message();
  return summary;
}

TEST(IdentifyImportTest, ResolvesEachLineAndReportsRejections) {
  testing::ServiceProcess svc("identify");
  ASSERT_TRUE(testing::WaitForHealth(svc.channel().get(), "SERVING", absl::Seconds(20)))
      << svc.process().Log();
  auto stub = v1::IdentifyService::NewStub(svc.channel());
  const std::vector<v1::ImportCustomersRequest> file = {
      Line("1", "Mei", "Han", "139 1111 2222"),
      Line("2", "Lei", "Li", "139 3333 4444"),
      Line("3", "Mei", "Han", "+86 139-1111-2222"),  // the first one again
      Line("4", "Bad", "Phone", "12ab"),
  };
  const auto first = Import(*stub, file);
  EXPECT_EQ(first.received(), 4);
  EXPECT_EQ(first.created(), 2);
  EXPECT_EQ(first.matched(), 1);
  EXPECT_EQ(first.rejected(), 1);
  ASSERT_EQ(first.rejections_size(), 1);
  EXPECT_EQ(first.rejections(0).line_ref(), "4");
  EXPECT_EQ(first.rejections(0).code(), "INVALID_ARGUMENT");
  EXPECT_EQ(first.rejections(0).reason(), "INVALID_FIELD");

  const auto again = Import(*stub, file);
  EXPECT_EQ(again.created(), 0);
  EXPECT_EQ(again.matched(), 3);

  v1::LookupCustomerRequest lookup;
  lookup.mutable_identifier()->set_type(v1::IDENTIFIER_TYPE_PHONE);
  lookup.mutable_identifier()->set_value("13911112222");
  v1::LookupCustomerResponse found;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub->LookupCustomer(&ctx, lookup, &found).ok());
  EXPECT_EQ(found.customer().display_name(), "M** H**");
}

TEST(IdentifyImportTest, ABadImportIdEndsTheStream) {
  testing::ServiceProcess svc("identify");
  ASSERT_TRUE(testing::WaitForHealth(svc.channel().get(), "SERVING", absl::Seconds(20)));
  auto stub = v1::IdentifyService::NewStub(svc.channel());
  auto line = Line("1", "A", "B", "139 5555 6666");
  line.set_import_id("has space");
  grpc::ClientContext ctx;
  v1::ImportCustomersResponse summary;
  auto writer = stub->ImportCustomers(&ctx, &summary);
  writer->Write(line);
  writer->WritesDone();
  const grpc::Status status = writer->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace crm
