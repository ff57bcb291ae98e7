#include "tools/dynamic_rpc.h"

#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "crm/bench/v1/echo.pb.h"
#include "crm/complaints/v1/complaints.pb.h"
#include "crm/identify/v1/identify.pb.h"
#include "crm/loyalty/v1/loyalty.pb.h"
#include "crm/segment/v1/segment.pb.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "grpc/health/v1/health.pb.h"

namespace crm::tools {
namespace {

namespace pb = ::google::protobuf;

// The proto files whose services can be called. Naming one message of each
// also makes the linker keep its object file from the static proto library;
// without a reference the file would never be registered in the generated
// pool and its methods would be "unknown".
const std::vector<const pb::FileDescriptor*>& CallableFiles() {
  static const auto* files = new std::vector<const pb::FileDescriptor*>{
      crm::bench::v1::EchoRequest::descriptor()->file(),
      crm::complaints::v1::GetComplaintRequest::descriptor()->file(),
      crm::identify::v1::GetCustomerRequest::descriptor()->file(),
      crm::loyalty::v1::GetProgramRequest::descriptor()->file(),
      crm::segment::v1::GetTierPolicyRequest::descriptor()->file(),
      grpc::health::v1::HealthCheckRequest::descriptor()->file(),
  };
  return *files;
}

std::string KnownServices() {
  std::vector<std::string> names;
  for (const pb::FileDescriptor* file : CallableFiles()) {
    for (int i = 0; i < file->service_count(); ++i) names.push_back(file->service(i)->full_name());
  }
  return absl::StrJoin(names, ", ");
}

std::string MethodsOf(const pb::ServiceDescriptor& service) {
  std::vector<std::string> names;
  for (int i = 0; i < service.method_count(); ++i) names.push_back(service.method(i)->name());
  return absl::StrJoin(names, ", ");
}

std::unique_ptr<pb::Message> NewMessage(const pb::Descriptor* type) {
  return std::unique_ptr<pb::Message>(
      pb::MessageFactory::generated_factory()->GetPrototype(type)->New());
}

}  // namespace

absl::StatusOr<DynamicMethod> DynamicMethod::Find(absl::string_view name) {
  CallableFiles();
  absl::string_view rest = name;
  if (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  size_t split = rest.rfind('/');
  if (split == absl::string_view::npos) split = rest.rfind('.');
  if (split == absl::string_view::npos || split == 0 || split + 1 == rest.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("method '", name, "' is not of the form pkg.Service/Method"));
  }
  const std::string service_name(rest.substr(0, split));
  const std::string method_name(rest.substr(split + 1));
  const pb::ServiceDescriptor* service =
      pb::DescriptorPool::generated_pool()->FindServiceByName(service_name);
  if (service == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("unknown service '", service_name, "'; known: ", KnownServices()));
  }
  const pb::MethodDescriptor* method = service->FindMethodByName(method_name);
  if (method == nullptr) {
    return absl::NotFoundError(absl::StrCat("service ", service_name, " has no method '",
                                            method_name, "'; it has: ", MethodsOf(*service)));
  }
  if (method->client_streaming() || method->server_streaming()) {
    return absl::InvalidArgumentError(absl::StrCat(
        method->full_name(), " is a streaming method; only unary calls are supported"));
  }
  return DynamicMethod(method);
}

DynamicMethod::DynamicMethod(const pb::MethodDescriptor* method)
    : method_(method),
      path_(absl::StrCat("/", method->service()->full_name(), "/", method->name())) {}

absl::StatusOr<std::string> DynamicMethod::RequestFromJson(absl::string_view json) const {
  std::unique_ptr<pb::Message> request = NewMessage(method_->input_type());
  pb::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = pb::util::JsonStringToMessage(pb::StringPiece(json.data(), json.size()),
                                              request.get(), options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("request is not a valid ",
                                                   method_->input_type()->full_name(),
                                                   " in JSON: ", status.message().ToString()));
  }
  return request->SerializeAsString();
}

absl::StatusOr<std::string> DynamicMethod::ResponseToJson(absl::string_view bytes,
                                                          const JsonOutput& output) const {
  std::unique_ptr<pb::Message> response = NewMessage(method_->output_type());
  if (!response->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError(
        absl::StrCat("response does not parse as ", method_->output_type()->full_name()));
  }
  pb::util::JsonPrintOptions options;
  options.add_whitespace = output.pretty;
  options.always_print_primitive_fields = output.emit_defaults;
  options.preserve_proto_field_names = true;
  std::string json;
  auto status = pb::util::MessageToJsonString(*response, &json, options);
  if (!status.ok()) {
    return absl::InternalError(
        absl::StrCat("cannot render response as JSON: ", status.message().ToString()));
  }
  return json;
}

}  // namespace crm::tools
