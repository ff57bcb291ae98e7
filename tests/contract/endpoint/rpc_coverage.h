// Which RPCs the endpoint contract tests called, and with what outcome: a
// full run must reach every method of every service with at least one OK.
#ifndef CRM_TESTS_CONTRACT_ENDPOINT_RPC_COVERAGE_H_
#define CRM_TESTS_CONTRACT_ENDPOINT_RPC_COVERAGE_H_

#include <memory>
#include <string>
#include <vector>

#include "grpcpp/support/client_interceptor.h"

namespace crm::contract {

// Records every call made through channels it intercepts.
std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface> CoverageRecorder();

// The suite's methods ("/crm.identify.v1.IdentifyService/CreateCustomer", ...)
// that no call reached with status OK, from the services' descriptors.
std::vector<std::string> MethodsNeverOk();

// One line per method called: the status codes seen and how often.
std::string CoverageReport();

}  // namespace crm::contract

#endif  // CRM_TESTS_CONTRACT_ENDPOINT_RPC_COVERAGE_H_
