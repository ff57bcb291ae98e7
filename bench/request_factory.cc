#include "bench/request_factory.h"

#include "absl/strings/str_cat.h"
#include "tools/byte_buffers.h"

namespace crm::bench {

absl::StatusOr<std::unique_ptr<RequestFactory>> RequestFactory::Create(
    tools::DynamicMethod method, std::vector<RequestTemplate> requests) {
  if (requests.empty()) return absl::InvalidArgumentError("no request given");
  std::unique_ptr<RequestFactory> factory(
      new RequestFactory(std::move(method), std::move(requests)));
  for (size_t i = 0; i < factory->templates_.size(); ++i) {
    uint64_t zero = 0;
    absl::StatusOr<std::string> first = factory->method_.RequestFromJson(
        factory->templates_[i].Expand(0, [&] { return zero++; }));
    if (!first.ok()) {
      return absl::Status(first.status().code(),
                          absl::StrCat("request ", i + 1, ": ", first.status().message()));
    }
    factory->constants_.push_back(factory->templates_[i].is_constant()
                                      ? tools::ToByteBuffer(*first)
                                      : grpc::ByteBuffer());
  }
  return factory;
}

absl::StatusOr<grpc::ByteBuffer> RequestFactory::Next(RequestTemplate::Random random) {
  const uint64_t seq = seq_.fetch_add(1, std::memory_order_relaxed);
  const size_t i = seq % templates_.size();
  if (templates_[i].is_constant()) return constants_[i];
  absl::StatusOr<std::string> bytes = method_.RequestFromJson(templates_[i].Expand(seq, random));
  if (!bytes.ok()) return bytes.status();
  return tools::ToByteBuffer(*bytes);
}

}  // namespace crm::bench
