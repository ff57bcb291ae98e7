#ifndef CRM_COMMON_PEER_CHANNEL_H_
#define CRM_COMMON_PEER_CHANNEL_H_

#include <memory>
#include <string>

#include "common/tls.h"
#include "grpcpp/channel.h"

namespace crm {

// A channel to another service of the suite. Calls are balanced round-robin
// over every address the target resolves to, so "dns:///crm-identify-headless:50051"
// spreads them over all ready pods (the servers' max connection age makes
// clients re-resolve and find new ones). With TLS, this process's
// certificate is presented and the peer's is verified against the CA.
std::shared_ptr<grpc::Channel> PeerChannel(const std::string& target, const TlsConfig& tls);

}  // namespace crm

#endif  // CRM_COMMON_PEER_CHANNEL_H_
