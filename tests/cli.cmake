# Tests of the command line (cli/): unit tests of the output formats and
# of Dockerfile discovery, and end-to-end scripts run against the binary.
# Included by tests/CMakeLists.txt.

dw_unit_test(cli_test_output SOURCES unit/cli/test_output.c LIBS dw_cli)
target_compile_definitions(cli_test_output PRIVATE DW_TEST_PROJECT_URL="${DW_PROJECT_URL}")
dw_unit_test(cli_test_discover SOURCES unit/cli/test_discover.c LIBS dw_cli)
dw_unit_test(cli_test_json_writer SOURCES unit/cli/test_json_writer.c LIBS dw_cli)

if(DW_HAVE_LINT)
  # exit codes, every format, stdin, discovery, --jobs, --fix, --diff,
  # configuration precedence, NO_COLOR
  add_test(NAME cli_lint
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_lint.sh $<TARGET_FILE:dockwright>)
  add_test(NAME cli_rules_explain
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_rules.sh $<TARGET_FILE:dockwright>)
  set_tests_properties(cli_lint cli_rules_explain PROPERTIES LABELS fast SKIP_RETURN_CODE 77)
  # The hooks of .pre-commit-hooks.yaml through Debian's pre-commit, in a
  # temporary git repository (skips when pre-commit is not installed).
  add_test(NAME cli_precommit
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_precommit.sh $<TARGET_FILE:dockwright>
            ${CMAKE_SOURCE_DIR})
  set_tests_properties(cli_precommit PROPERTIES LABELS slow SKIP_RETURN_CODE 77)
endif()
