# Tests of the builder's commands, included by tests/CMakeLists.txt.
# `dockwright image` and `dockwright cache` over a store in a temporary
# directory (a few seconds: dozens of runs of the binary, fsynced writes).
add_test(NAME cli_image
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_image.sh $<TARGET_FILE:dockwright>)
set_tests_properties(cli_image PROPERTIES LABELS slow SKIP_RETURN_CODE 77)
