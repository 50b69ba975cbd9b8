# bazaar_fast_malloc(<target>): the executable allocates through jemalloc instead of glibc's
# malloc (ADR 0010). Not under sanitizers, which bring their own allocator.
function(bazaar_fast_malloc target)
  if(NOT BAZAAR_SANITIZE)
    target_link_libraries(${target} PRIVATE PkgConfig::JEMALLOC)
  endif()
endfunction()

# bazaar_unit_test(<name> <source> LIBS <targets>...): a GoogleTest binary labelled `unit`.
function(bazaar_unit_test name source)
  cmake_parse_arguments(T "" "" "LIBS" ${ARGN})
  add_executable(${name} ${source})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest_main)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS unit TIMEOUT 120)
endfunction()

# bazaar_embed_sql(<target> <dir>): compiles every NNNN_name.sql under <dir> into the
# target as `bazaar::pg::Migration` records, so a binary carries its own schema.
function(bazaar_embed_sql target dir)
  file(GLOB sql_files CONFIGURE_DEPENDS "${dir}/*.sql")
  list(SORT sql_files)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${target}_migrations.cpp")
  add_custom_command(
    OUTPUT "${out}"
    # The list travels '|'-joined: a ';' would end the shell command after the first file.
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} "-DFILES=$<JOIN:${sql_files},|>"
            -P "${PROJECT_SOURCE_DIR}/cmake/embed_sql.cmake"
    DEPENDS ${sql_files} "${PROJECT_SOURCE_DIR}/cmake/embed_sql.cmake"
    COMMENT "Embedding migrations for ${target}"
    VERBATIM)
  target_sources(${target} PRIVATE "${out}")
endfunction()

# bazaar_embed_text(<target> <file> <function>): defines `std::string_view <function>()`
# returning the file's contents, compiled into the target.
function(bazaar_embed_text target file function)
  get_filename_component(base "${file}" NAME)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${target}_${base}.cpp")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DIN=${file} -DFUNCTION=${function}
            -P "${PROJECT_SOURCE_DIR}/cmake/embed_text.cmake"
    DEPENDS "${file}" "${PROJECT_SOURCE_DIR}/cmake/embed_text.cmake"
    COMMENT "Embedding ${base} into ${target}")
  target_sources(${target} PRIVATE "${out}")
endfunction()
