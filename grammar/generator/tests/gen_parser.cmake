# Runs tsgen on one test grammar (cmake -P). Variables: TSGEN, GRAMMAR,
# NAME, OUT (parser.c), LOG (tsgen's messages), CC, INCLUDES (tree-sitter's
# include directories).
#
# When tsgen fails, or its parser.c does not compile against Debian's
# <tree_sitter/parser.h>, OUT becomes a stub whose tree_sitter_<NAME>()
# returns NULL and LOG says why: the corpus test of that grammar then fails
# with the message, and the rest of the build goes on.
foreach(var TSGEN GRAMMAR NAME OUT LOG CC)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "gen_parser.cmake: ${var} is not set")
  endif()
endforeach()

set(tmp ${OUT}.tmp.c)
file(REMOVE ${tmp})
execute_process(COMMAND ${TSGEN} ${GRAMMAR} -o ${tmp}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(problem "")
if(NOT rc EQUAL 0)
  set(problem "tsgen ${GRAMMAR} exited with ${rc}:\n${out}${err}")
elseif(NOT EXISTS ${tmp})
  set(problem "tsgen ${GRAMMAR} exited with 0 but wrote no parser.c\n${out}${err}")
else()
  set(inc_flags "")
  foreach(dir ${INCLUDES})
    list(APPEND inc_flags -I${dir})
  endforeach()
  execute_process(COMMAND ${CC} -std=c11 -fsyntax-only -w ${inc_flags} ${tmp}
    RESULT_VARIABLE crc OUTPUT_VARIABLE cout ERROR_VARIABLE cerr)
  if(NOT crc EQUAL 0)
    string(SUBSTRING "${cerr}" 0 4000 cerr)
    set(problem "the parser.c that tsgen wrote for ${GRAMMAR} does not compile:\n${cout}${cerr}")
  endif()
endif()

if(problem STREQUAL "")
  file(RENAME ${tmp} ${OUT})
  file(WRITE ${LOG} "${out}${err}")
  return()
endif()

file(REMOVE ${tmp})
file(WRITE ${LOG} "${problem}")
message(WARNING "${problem}")
file(WRITE ${OUT}
"/* Stub: tsgen could not produce this parser; see tsgen.log beside it. */
#include <tree_sitter/api.h>
const TSLanguage *tree_sitter_${NAME}(void);
const TSLanguage *tree_sitter_${NAME}(void) { return 0; }
")
