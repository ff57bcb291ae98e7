# crm_embed_migrations(<target> <namespace> <dir>)
# Compiles the forward-only migrations <dir>/V<NNNN>__<name>.sql into the
# binary as `const std::vector<crm::MigrationFile>& <namespace>::Migrations()`,
# so a service image carries its schema and needs no files at run time.
function(crm_embed_migrations target namespace dir)
  file(GLOB sql_files CONFIGURE_DEPENDS ${dir}/V*.sql)
  file(GLOB shared_files CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/common/schema/*.sql)
  list(SORT sql_files)
  # "|" separated: a ";" list would split the command line.
  string(REPLACE ";" "|" sql_file_arg "${sql_files}")
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${target}_migrations.cc)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNAMESPACE=${namespace} -DROOT=${CMAKE_SOURCE_DIR}
            "-DFILES=${sql_file_arg}" -P ${CMAKE_SOURCE_DIR}/cmake/embed_migrations.cmake
    DEPENDS ${sql_files} ${CMAKE_SOURCE_DIR}/cmake/embed_migrations.cmake
            ${shared_files}
    COMMENT "embedding migrations of ${namespace}"
    VERBATIM)
  add_library(${target} STATIC ${out})
  target_link_libraries(${target} PUBLIC crm_common)
endfunction()
