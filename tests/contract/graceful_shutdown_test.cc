// SIGTERM on the common server bootstrap (here through the echo server, whose
// calls can be made slow): health turns NOT_SERVING, in-flight calls finish,
// the process exits 0.
#include <csignal>
#include <future>

#include "absl/strings/str_cat.h"
#include "crm/bench/v1/echo.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/contract/service_process.h"

namespace crm {
namespace {

class EchoServer {
 public:
  explicit EchoServer(absl::Duration grace)
      : port_(testing::FreePort()),
        process_({testing::BuildPath("bench/crm-echo-server"),
                  absl::StrCat("--listen=127.0.0.1:", port_), "--metrics_listen=off",
                  "--shutdown_delay=300ms",
                  absl::StrCat("--shutdown_grace=", absl::FormatDuration(grace))},
                 absl::StrCat(::testing::TempDir(), "/echo-", port_, ".log")),
        listening_(testing::WaitForPort(port_, absl::Seconds(10))),
        channel_(testing::FastReconnectChannel(absl::StrCat("127.0.0.1:", port_))),
        stub_(bench::v1::EchoService::NewStub(channel_)) {}

  std::future<grpc::Status> SlowCall(int delay_ms) {
    return std::async(std::launch::async, [this, delay_ms] {
      grpc::ClientContext ctx;
      ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
      bench::v1::EchoRequest req;
      req.set_payload("in flight");
      req.set_delay_ms(delay_ms);
      bench::v1::EchoResponse resp;
      grpc::Status status = stub_->Echo(&ctx, req, &resp);
      if (status.ok() && resp.payload() != "in flight") {
        return grpc::Status(grpc::StatusCode::DATA_LOSS, "wrong payload");
      }
      return status;
    });
  }

  grpc::Channel* channel() { return channel_.get(); }
  testing::Subprocess& process() { return process_; }

 private:
  int port_;
  testing::Subprocess process_;
  bool listening_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<bench::v1::EchoService::Stub> stub_;
};

TEST(GracefulShutdownTest, InFlightCallCompletesAndProcessExitsZero) {
  EchoServer server(absl::Seconds(10));
  ASSERT_TRUE(testing::WaitForHealth(server.channel(), "SERVING", absl::Seconds(10)))
      << server.process().Log();
  auto call = server.SlowCall(1500);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the call is in flight
  server.process().Signal(SIGTERM);
  EXPECT_TRUE(testing::WaitForHealth(server.channel(), "NOT_SERVING", absl::Milliseconds(250)));
  grpc::Status status = call.get();
  EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
  EXPECT_EQ(server.process().Wait(absl::Seconds(10)), 0) << server.process().Log();
}

TEST(GracefulShutdownTest, CallsBeyondTheGraceAreCancelledAndExitIsStillZero) {
  EchoServer server(absl::Milliseconds(500));
  ASSERT_TRUE(testing::WaitForHealth(server.channel(), "SERVING", absl::Seconds(10)));
  auto call = server.SlowCall(20000);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const absl::Time start = absl::Now();
  server.process().Signal(SIGTERM);
  EXPECT_EQ(server.process().Wait(absl::Seconds(10)), 0);
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_FALSE(call.get().ok());
}

}  // namespace
}  // namespace crm
