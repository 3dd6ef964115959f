# Strict warnings for our own code, drawn from tree-sitter's, git's and
# curl's builds. Generated code (parser.c) gets relaxed flags of its own.
set(DW_WARNINGS
  -Wall -Wextra -Wshadow -Wpedantic -Wstrict-prototypes -Wmissing-prototypes
  -Wwrite-strings -Wvla -Wformat=2 -Wno-unused-parameter)
if(DW_WERROR)
  list(APPEND DW_WARNINGS -Werror)
endif()

# nonnull-attribute is left out: it fires on memcpy/qsort of zero elements
# from an empty vector (NULL, 0), which every libc handles; a NULL pointer
# with a non-zero length still crashes under ASan.
if(CMAKE_BUILD_TYPE STREQUAL "Debug" AND DW_SANITIZE AND NOT DW_FUZZ)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize=nonnull-attribute
                      -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
if(DW_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "DW_FUZZ needs clang: configure with -DCMAKE_C_COMPILER=clang")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=nonnull-attribute
                      -fno-sanitize-recover=all -fno-omit-frame-pointer -g)
  add_link_options(-fsanitize=address,undefined)
endif()
set(CMAKE_C_FLAGS_RELEASE "-O2 -DNDEBUG")
set(CMAKE_C_FLAGS_DEBUG "-g -O1")

# Applies the project's warning set to a target of ours.
function(dw_warnings target)
  target_compile_options(${target} PRIVATE ${DW_WARNINGS})
  target_compile_definitions(${target} PRIVATE _POSIX_C_SOURCE=200809L _DEFAULT_SOURCE)
endfunction()
