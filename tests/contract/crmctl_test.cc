// crmctl against the real services: the README's five-minute tour, and the
// errors and exit codes scripts rely on.
#include <cstdio>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/contract/four_services.h"
#include "tests/contract/service_process.h"

namespace crm {
namespace {

using nlohmann::json;
using testing::ServiceProcess;
using testing::WaitForHealth;

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
  json Json() const { return json::parse(out, nullptr, false); }
};

std::string Quote(const std::string& arg) {
  std::string quoted = "'";
  for (char c : arg) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

Result Crmctl(const std::vector<std::string>& args) {
  const std::string err_file = absl::StrCat(::testing::TempDir(), "/crmctl-", getpid(), ".err");
  std::string command;
  for (const auto& a : testing::CleanClientEnv()) absl::StrAppend(&command, Quote(a), " ");
  absl::StrAppend(&command, Quote(testing::BuildPath("tools/crmctl")));
  for (const auto& a : args) absl::StrAppend(&command, " ", Quote(a));
  absl::StrAppend(&command, " 2>", Quote(err_file));
  Result r;
  FILE* pipe = popen(command.c_str(), "r");
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof(buf), pipe)) > 0;) r.out.append(buf, n);
  int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(err_file);
  r.err.assign(std::istreambuf_iterator<char>(in), {});
  return r;
}

// crmctl --json pointed at the suite.
class Suite {
 public:
  // The JSON response, or fails the test.
  json Call(std::vector<std::string> args) {
    Result r = Run(std::move(args), /*json_output=*/true);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.Json();
  }
  Result Run(std::vector<std::string> args, bool json_output) {
    std::vector<std::string> all = {
        "--identify=" + services_.identify(), "--loyalty=" + services_.loyalty(),
        "--complaints=" + services_.complaints(), "--segment=" + services_.segment()};
    if (json_output) all.push_back("--json");
    all.insert(all.end(), args.begin(), args.end());
    return Crmctl(all);
  }

 private:
  testing::FourServices services_;
};

TEST(CrmctlTest, TheReadmeTourRunsAsWritten) {
  testing::FourServices services;
  std::vector<std::string> argv = testing::CleanClientEnv();
  argv.insert(argv.end(),
              {absl::StrCat("PATH=", CRM_BUILD_DIR, "/tools:/usr/bin:/bin"),
               "CRMCTL_IDENTIFY=" + services.identify(), "CRMCTL_LOYALTY=" + services.loyalty(),
               "CRMCTL_COMPLAINTS=" + services.complaints(), "CRMCTL_SEGMENT=" + services.segment(),
               absl::StrCat(CRM_SOURCE_DIR, "/docs/tour.sh")});
  testing::Subprocess tour(argv, absl::StrCat(::testing::TempDir(), "/tour.log"));
  ASSERT_EQ(tour.Wait(absl::Seconds(60)), 0) << tour.Log();
  const std::string log = tour.Log();
  EXPECT_NE(log.find("redirected_from: "), std::string::npos) << log;
  EXPECT_NE(log.find("compensation_status: COMPENSATION_STATUS_GRANTED"), std::string::npos) << log;
  EXPECT_TRUE(absl::EndsWith(log, "\n429\n")) << log;  // 199 + 30 + 200 points
}

TEST(CrmctlTest, TheFiveMinuteTour) {
  Suite suite;
  // A customer, and a second record of the same person.
  json li = suite.Call({"identify", "create-customer", "--customer.kind=person",
                        "--customer.category=consumer", "--customer.display_name=Li Lei",
                        "--customer.identifiers.type=member_card",
                        "--customer.identifiers.value=7700123", "--customer.identifiers.type=phone",
                        "--customer.identifiers.value=+86 138 0013 8000"});
  const std::string customer = li["customer"]["customer_id"];
  ASSERT_EQ(li["customer"]["identifiers"].size(), 2u);
  json dup = suite.Call({"identify", "create-customer", "--customer.kind=person",
                         "--customer.category=consumer", "--customer.display_name=Lei Li",
                         "--customer.identifiers.type=email",
                         "--customer.identifiers.value=li.lei@163.com"});
  json merged =
      suite.Call({"identify", "merge-customers", "--survivor_id", customer, "--merged_id",
                  dup["customer"]["customer_id"], "--reason=same person, confirmed on the phone"});
  json got =
      suite.Call({"identify", "get-customer", "--customer_id", dup["customer"]["customer_id"]});
  EXPECT_EQ(got["customer"]["customer_id"], customer);  // the duplicate redirects

  // Purchases and points.
  json program =
      suite.Call({"loyalty", "create-program", "--program.display_name=Club",
                  "--program.currency_code=CNY", "--program.points_per_currency_unit=1"});
  json member = suite.Call({"loyalty", "enroll-member", "--program_id",
                            program["program"]["program_id"], "--customer_id", customer});
  const std::string member_id = member["member"]["member_id"];
  for (const char* till : {"till-1/0001", "till-1/0002"}) {
    suite.Call({"loyalty", "record-purchase", "--purchase.member_id", member_id,
                "--purchase.source_transaction_id", till, "--purchase.lines.sku=kettle",
                "--purchase.lines.quantity=1", "--purchase.lines.amount_minor=19900",
                "--purchase.lines.sku=tea", "--purchase.lines.quantity=2",
                "--purchase.lines.amount_minor=3000"});
  }
  json points = suite.Call({"loyalty", "get-member", "--member_id", member_id});
  EXPECT_EQ(points["member"]["balance"], "458");  // 2 x (199 + 30); int64 is a JSON string

  // The tier, and a complaint handled to its resolution with compensation.
  suite.Call({"segment", "set-tier-policy", "--policy.tier=key", "--policy.priority=800",
              "--policy.sla_class=gold", "--policy.contact_channel=phone"});
  suite.Call({"segment", "assign-customer-tier", "--tier.customer_id", customer, "--tier.tier=key",
              "--tier.reason=top 5% of spend"});
  json tier = suite.Call({"segment", "get-customer-tier", "--customer_id", customer});
  EXPECT_EQ(tier["tier"]["tier"], "key");
  json filed = suite.Call(
      {"complaints", "file-complaint", "--complaint.channel=web",
       "--complaint.subject=kettle leaks", "--complaint.description=the kettle leaks after a week",
       "--customer_identifier.type=member_card", "--customer_identifier.value=7700123"});
  const std::string complaint = filed["complaint"]["complaint_id"];
  EXPECT_EQ(filed["complaint"]["customer_id"], customer);
  EXPECT_EQ(filed["complaint"]["tier"], "key");
  const std::vector<std::string> by = {"--complaint_id", complaint, "--by.actor=agent-7"};
  auto step = [&](std::vector<std::string> args) {
    args.insert(args.end(), by.begin(), by.end());
    return suite.Call(args);
  };
  step({"complaints", "acknowledge-complaint"});
  step({"complaints", "assess-complaint", "--assessment.valid=true",
        "--assessment.category=product_quality"});
  step({"complaints", "propose-resolution", "--remedies.type=replacement",
        "--remedies.type=compensation_points", "--remedies.points=200",
        "--remedies.loyalty_member_id", member_id});
  step({"complaints", "record-customer-decision", "--accepted"});
  json resolved = step({"complaints", "resolve-complaint", "--outcome=non_monetary_relief"});
  EXPECT_EQ(resolved["complaint"]["resolution"]["compensation_status"],
            "COMPENSATION_STATUS_GRANTED");
  points = suite.Call({"loyalty", "get-member", "--member_id", member_id});
  EXPECT_EQ(points["member"]["balance"], "658");

  // The same, for people.
  Result readable = suite.Run({"loyalty", "get-member", "--member_id", member_id}, false);
  EXPECT_EQ(readable.exit_code, 0);
  EXPECT_NE(readable.out.find("member:\n  member_id: " + member_id), std::string::npos)
      << readable.out;
  EXPECT_NE(readable.out.find("  balance: 658\n"), std::string::npos) << readable.out;
}

TEST(CrmctlTest, BadInputAndFailedCallsHaveClearMessagesAndExitCodes) {
  ServiceProcess identify("identify");
  ASSERT_TRUE(WaitForHealth(identify.channel().get(), "SERVING", absl::Seconds(20)));
  const std::string at = "--identify=" + identify.address();

  Result unknown_field = Crmctl({at, "identify", "get-customer", "--customer=x"});
  EXPECT_EQ(unknown_field.exit_code, 2);
  EXPECT_NE(unknown_field.err.find("has no field 'customer'; it has: customer_id, view"),
            std::string::npos)
      << unknown_field.err;
  Result bad_enum =
      Crmctl({at, "identify", "get-customer", "--customer_id=x", "--view=everything"});
  EXPECT_EQ(bad_enum.exit_code, 2);
  EXPECT_NE(bad_enum.err.find("is not one of CUSTOMER_VIEW_UNSPECIFIED"), std::string::npos)
      << bad_enum.err;
  EXPECT_EQ(Crmctl({at, "identify", "no-such-method"}).exit_code, 2);
  EXPECT_EQ(Crmctl({"warehouse", "get"}).exit_code, 2);
  EXPECT_EQ(Crmctl({"--timeout=soon", "identify", "get-customer"}).exit_code, 2);
  Result token_in_clear = Crmctl({at, "--token=eyJ.x.y", "identify", "get-customer",
                                  "--customer_id=01ARZ3NDEKTSV4RRFFQ69G5FAV"});
  EXPECT_EQ(token_in_clear.exit_code, 2);
  EXPECT_NE(token_in_clear.err.find("only sent over TLS"), std::string::npos) << token_in_clear.err;

  Result missing =
      Crmctl({at, "identify", "get-customer", "--customer_id=01ARZ3NDEKTSV4RRFFQ69G5FAV"});
  EXPECT_EQ(missing.exit_code, 10 + 5);  // NOT_FOUND
  EXPECT_NE(missing.err.find("NOT_FOUND CUSTOMER_NOT_FOUND:"), std::string::npos) << missing.err;
  Result invalid = Crmctl({at, "--json", "identify", "get-customer", "--customer_id=bad"});
  EXPECT_EQ(invalid.exit_code, 10 + 3);  // INVALID_ARGUMENT
  json error = json::parse(invalid.err, nullptr, false);
  ASSERT_FALSE(error.is_discarded()) << invalid.err;
  EXPECT_EQ(error["error"]["code"], "INVALID_ARGUMENT");
  EXPECT_EQ(error["error"]["reason"], "INVALID_FIELD");
  EXPECT_EQ(error["error"]["metadata"]["field"], "customer_id");
  Result down = Crmctl({"--identify=127.0.0.1:1", "--timeout=2s", "identify", "get-customer",
                        "--customer_id=01ARZ3NDEKTSV4RRFFQ69G5FAV"});
  EXPECT_EQ(down.exit_code, 10 + 14);  // UNAVAILABLE

  Result help = Crmctl({"identify", "create-customer", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--customer.display_name  string"), std::string::npos) << help.out;
  Result list = Crmctl({"help"});
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_NE(list.out.find("record-purchase"), std::string::npos);
  EXPECT_NE(list.out.find("file-complaint"), std::string::npos);
}

}  // namespace
}  // namespace crm
