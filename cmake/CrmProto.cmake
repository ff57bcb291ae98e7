# crm_proto_library(<target> PROTOS <files relative to protos/> [GRPC] [DEPS <targets>])
# Generates C++ (and gRPC stubs with GRPC) once into the build tree and wraps
# them in a static library.
set(CRM_PROTO_ROOT ${CMAKE_SOURCE_DIR}/protos)
set(CRM_PROTO_OUT ${CMAKE_BINARY_DIR}/gen)
file(MAKE_DIRECTORY ${CRM_PROTO_OUT})
get_target_property(CRM_GRPC_CPP_PLUGIN gRPC::grpc_cpp_plugin LOCATION)

function(crm_proto_library target)
  cmake_parse_arguments(ARG "GRPC" "" "PROTOS;DEPS" ${ARGN})
  set(srcs)
  foreach(proto ${ARG_PROTOS})
    string(REGEX REPLACE "\\.proto$" "" stem ${proto})
    set(outs ${CRM_PROTO_OUT}/${stem}.pb.cc ${CRM_PROTO_OUT}/${stem}.pb.h)
    set(plugin_args)
    if(ARG_GRPC)
      list(APPEND outs ${CRM_PROTO_OUT}/${stem}.grpc.pb.cc ${CRM_PROTO_OUT}/${stem}.grpc.pb.h)
      set(plugin_args --grpc_out=${CRM_PROTO_OUT} --plugin=protoc-gen-grpc=${CRM_GRPC_CPP_PLUGIN})
    endif()
    add_custom_command(
      OUTPUT ${outs}
      COMMAND protobuf::protoc --proto_path=${CRM_PROTO_ROOT} --cpp_out=${CRM_PROTO_OUT}
              ${plugin_args} ${CRM_PROTO_ROOT}/${proto}
      DEPENDS ${CRM_PROTO_ROOT}/${proto} protobuf::protoc
      COMMENT "protoc ${proto}")
    list(FILTER outs INCLUDE REGEX "\\.cc$")
    list(APPEND srcs ${outs})
  endforeach()
  add_library(${target} STATIC ${srcs})
  target_include_directories(${target} SYSTEM PUBLIC ${CRM_PROTO_OUT})
  target_link_libraries(${target} PUBLIC protobuf::libprotobuf ${ARG_DEPS})
  if(ARG_GRPC)
    target_link_libraries(${target} PUBLIC gRPC::grpc++)
  endif()
endfunction()
