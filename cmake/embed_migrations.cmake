# Script mode: writes OUT, a C++ file holding every file of FILES verbatim
# (after expanding its include lines).
set(body "")
string(REPLACE "|" ";" FILES "${FILES}")
foreach(f ${FILES})
  get_filename_component(name ${f} NAME)
  file(READ ${f} content)
  # "-- crm:include <path>" pulls in a file shared by every service (relative
  # to the source root); the checksum covers the expanded text.
  string(REGEX MATCHALL "-- crm:include [^\n]+" includes "${content}")
  foreach(line ${includes})
    string(REGEX REPLACE "-- crm:include ([^\n]+)" "\\1" path "${line}")
    string(STRIP "${path}" path)
    file(READ ${ROOT}/${path} shared)
    string(REPLACE "${line}" "${shared}" content "${content}")
  endforeach()
  string(FIND "${content}" ")crmsql\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${name} contains the raw-string delimiter )crmsql\"")
  endif()
  string(APPEND body "      {\"${name}\", R\"crmsql(${content})crmsql\"},\n")
endforeach()
file(WRITE ${OUT}.tmp "// Generated from the service's schema/ folder; do not edit.
#include \"common/migrator.h\"

namespace ${NAMESPACE} {

const std::vector<crm::MigrationFile>& Migrations() {
  static const auto* files = new std::vector<crm::MigrationFile>{
${body}  };
  return *files;
}

}  // namespace ${NAMESPACE}
")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
