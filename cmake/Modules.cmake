# Module boundaries (STYLE.md section 1). Each module is a static library.
# A module's headers are reachable as "<module>/<file>.h" only by targets
# that link it: the include path of module M is a directory holding a single
# link named M that points at the source folder, so linking is what grants
# the right to include. tests/check_layering.sh checks the finer rules (for
# example that rules/ uses analyzer/rule_api.h only).
set(DW_MODINC ${CMAKE_BINARY_DIR}/modinc)

# dw_module(<name> SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
function(dw_module name)
  cmake_parse_arguments(M "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  set(inc ${DW_MODINC}/${name})
  file(MAKE_DIRECTORY ${inc})
  file(CREATE_LINK ${CMAKE_SOURCE_DIR}/${name} ${inc}/${name} SYMBOLIC)
  if(M_SOURCES)
    add_library(dw_${name} STATIC ${M_SOURCES})
    dw_warnings(dw_${name})
    target_include_directories(dw_${name} PUBLIC ${inc})
    target_link_libraries(dw_${name} PUBLIC ${M_PUBLIC_DEPS} PRIVATE ${M_PRIVATE_DEPS})
  else()
    add_library(dw_${name} INTERFACE)
    target_include_directories(dw_${name} INTERFACE ${inc})
    target_link_libraries(dw_${name} INTERFACE ${M_PUBLIC_DEPS})
  endif()
endfunction()
