#include "common/peer_channel.h"

#include "grpcpp/create_channel.h"
#include "grpcpp/support/channel_arguments.h"

namespace crm {

std::shared_ptr<grpc::Channel> PeerChannel(const std::string& target, const TlsConfig& tls) {
  grpc::ChannelArguments args;
  args.SetServiceConfigJSON(R"({"loadBalancingConfig":[{"round_robin":{}}]})");
  return grpc::CreateCustomChannel(target, ChannelCredentialsFor(tls), args);
}

}  // namespace crm
