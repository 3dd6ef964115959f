# Rule fixtures, the corpus and the rule registry (STYLE.md sections 3 and
# 5), included by tests/CMakeLists.txt. One CTest per fixture file:
# rules/<rule>/<name>.Dockerfile is fixture_<rule>_<name>, and
# corpus/<dirs>/<name>.Dockerfile is fixture_corpus_<dirs>_<name>.
# Expected outputs (NAME.fixed.Dockerfile, NAME.fixed/) and build contexts
# (NAME.context/) beside a fixture are not fixtures themselves.
if(NOT TARGET dw_rules)
  return()
endif()

add_executable(fixture_driver ${CMAKE_CURRENT_LIST_DIR}/fixture_driver.c
                              ${CMAKE_CURRENT_LIST_DIR}/fixture.c)
dw_warnings(fixture_driver)
target_include_directories(fixture_driver PRIVATE ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(fixture_driver PRIVATE dw_rules dw_analyzer)

file(GLOB dw_rule_fixtures CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/rules/*/*.Dockerfile)
file(GLOB_RECURSE dw_corpus_fixtures CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/corpus/*.Dockerfile)
foreach(fixture ${dw_rule_fixtures} ${dw_corpus_fixtures})
  file(RELATIVE_PATH rel ${CMAKE_SOURCE_DIR} ${fixture})
  if(rel MATCHES "\\.fixed\\.Dockerfile$" OR rel MATCHES "\\.context/" OR rel MATCHES "\\.fixed/")
    continue()
  endif()
  string(REGEX REPLACE "\\.Dockerfile$" "" stem ${rel})
  string(REGEX REPLACE "^rules/" "" stem ${stem})
  string(REGEX REPLACE "[^A-Za-z0-9_.-]" "_" stem ${stem})
  add_test(NAME fixture_${stem} COMMAND fixture_driver ${fixture})
  set_tests_properties(fixture_${stem} PROPERTIES LABELS fast SKIP_RETURN_CODE 77)
endforeach()

# The registry: ids, names, aliases, docs and their examples, fixture folders.
add_executable(registry_check ${CMAKE_CURRENT_LIST_DIR}/registry_check.c)
dw_warnings(registry_check)
target_link_libraries(registry_check PRIVATE dw_rules dw_analyzer)
add_test(NAME rule_registry COMMAND registry_check ${CMAKE_SOURCE_DIR})
set_tests_properties(rule_registry PROPERTIES LABELS fast)

# tools/new-rule, run on a scratch copy of rules.def.
add_test(NAME tool_new_rule
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/new_rule_test.sh ${CMAKE_SOURCE_DIR}/tools/new-rule
          ${CMAKE_SOURCE_DIR})
set_tests_properties(tool_new_rule PROPERTIES LABELS fast SKIP_RETURN_CODE 77)
