# Test helpers shared by every folder that registers tests.

# dw_unit_test(<name> <source> [LIBS ...] [LABELS ...])
function(dw_unit_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  dw_warnings(${name})
  target_link_libraries(${name} PRIVATE ${T_LIBS} dw::cmocka)
  if(NOT T_LABELS)
    set(T_LABELS fast)
  endif()
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}" SKIP_RETURN_CODE 77)
endfunction()
