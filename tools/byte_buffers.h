#ifndef CRM_TOOLS_BYTE_BUFFERS_H_
#define CRM_TOOLS_BYTE_BUFFERS_H_

#include <string>

#include "absl/strings/string_view.h"
#include "grpcpp/support/byte_buffer.h"

namespace crm::tools {

// Copies `bytes` into a single-slice ByteBuffer.
grpc::ByteBuffer ToByteBuffer(absl::string_view bytes);

// Concatenates the slices of `buffer`.
std::string FromByteBuffer(const grpc::ByteBuffer& buffer);

}  // namespace crm::tools

#endif  // CRM_TOOLS_BYTE_BUFFERS_H_
