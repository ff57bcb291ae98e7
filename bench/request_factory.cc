#include "bench/request_factory.h"

#include "tools/byte_buffers.h"

namespace crm::bench {

absl::StatusOr<std::unique_ptr<RequestFactory>> RequestFactory::Create(tools::DynamicMethod method,
                                                                       RequestTemplate request) {
  std::unique_ptr<RequestFactory> factory(
      new RequestFactory(std::move(method), std::move(request)));
  uint64_t zero = 0;
  absl::StatusOr<std::string> first =
      factory->method_.RequestFromJson(factory->template_.Expand(0, [&] { return zero++; }));
  if (!first.ok()) return first.status();
  if (factory->template_.is_constant()) factory->constant_ = tools::ToByteBuffer(*first);
  return factory;
}

absl::StatusOr<grpc::ByteBuffer> RequestFactory::Next(RequestTemplate::Random random) {
  if (template_.is_constant()) return constant_;
  const uint64_t seq = seq_.fetch_add(1, std::memory_order_relaxed);
  absl::StatusOr<std::string> bytes = method_.RequestFromJson(template_.Expand(seq, random));
  if (!bytes.ok()) return bytes.status();
  return tools::ToByteBuffer(*bytes);
}

}  // namespace crm::bench
