#ifndef CRM_TOOLS_CRMCTL_RENDER_H_
#define CRM_TOOLS_CRMCTL_RENDER_H_

#include <string>

#include "nlohmann/json.hpp"

namespace crm::crmctl {

// A response for people: one "key: value" a line, nested messages indented
// under their key, list items after "- "; an empty response is "ok".
std::string RenderReadable(const nlohmann::ordered_json& response);

}  // namespace crm::crmctl

#endif  // CRM_TOOLS_CRMCTL_RENDER_H_
