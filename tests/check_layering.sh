#!/usr/bin/env bash
# Checks every #include of the project against the module table of
# STYLE.md section 1. Usage: check_layering.sh ROOT
# Exits 1 and lists each forbidden include as file:line: message.
set -u
root=${1:?usage: check_layering.sh ROOT}
cd "$root" || exit 2

# Project modules a module may include ("<module>/<file>.h"). System and
# library headers (<...>) are checked separately below.
declare -A allowed=(
  [common]=""
  [grammar/generator]="common grammar/generator"
  [grammar/src]=""
  [grammar]="grammar"
  [analyzer]="common grammar analyzer"
  [rules]="rules"
  [builder]="common builder analyzer"
  [cli]="common grammar analyzer rules builder cli lsp"
  [lsp]="common analyzer rules lsp"
)
# Library headers each module may include (prefixes of <...> names).
declare -A libs=(
  [common]=""
  [grammar/generator]="jansson"
  [grammar/src]="tree_sitter/parser.h"
  [grammar]="tree_sitter/api.h"
  [analyzer]="tree_sitter/api.h pcre2.h yaml.h"
  [rules]=""
  [builder]="archive.h archive_entry.h zlib.h openssl/ curl/ jansson.h"
  [cli]="tree_sitter/api.h jansson.h"
  [lsp]="jansson.h"
)
# Libraries everyone else may not use; libc and POSIX headers are free.
known_libs="tree_sitter/ jansson pcre2 yaml archive zlib openssl/ curl/ cmocka"

# Sets mod to the module of file $1 (no subshell: this runs per include).
module_of() {
  case $1 in
    grammar/generator/*) mod=grammar/generator ;;
    grammar/src/*) mod=grammar/src ;;
    */*) mod=${1%%/*} ;;
  esac
}

status=0
report() { echo "$1: $2"; status=1; }

# One grep over all files: "file:line:text" of every #include line.
while IFS= read -r hit; do
  file=${hit%%:*}
  rest=${hit#*:}
  n=${rest%%:*}
  line=${rest#*:}
  module_of "$file"
  [ -n "${allowed[$mod]+x}" ] || continue
  [[ $line =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*([\"\<])([^\"\>]+)[\"\>] ]] || continue
  kind=${BASH_REMATCH[1]} inc=${BASH_REMATCH[2]}
  if [ "$kind" = '"' ]; then
    case $inc in
      */*)
        target=${inc%/*}
        [ "$target" = grammar/generator ] || target=${inc%%/*}
        ok=0
        for m in ${allowed[$mod]}; do [ "$m" = "$target" ] && ok=1; done
        # rules/ may use analyzer/rule_api.h and nothing else of analyzer.
        if [ "$mod" = rules ] && [ "$inc" = analyzer/rule_api.h ]; then ok=1; fi
        # Only cli/ may include lsp/lsp.h, and nothing else of lsp/.
        if [ "$mod" = cli ] && [ "$target" = lsp ] && [ "$inc" != lsp/lsp.h ]; then ok=0; fi
        # builder/ may use analyzer/model.h and the .dockerignore matcher only.
        if [ "$mod" = builder ] && [ "$target" = analyzer ]; then
          case $inc in analyzer/model.h|analyzer/dockerignore.h|analyzer/analyzer.h) ;; *) ok=0 ;; esac
        fi
        [ $ok = 1 ] || report "$file:$n" "module '$mod' must not include \"$inc\" (STYLE.md section 1)"
        ;;
    esac
    case $inc in *..*) report "$file:$n" "relative include \"$inc\" bypasses the module table" ;; esac
  else
    for lib in $known_libs; do
      case $inc in
        "$lib"*)
          ok=0
          for l in ${libs[$mod]}; do case $inc in "$l"*) ok=1 ;; esac; done
          [ $ok = 1 ] || report "$file:$n" "module '$mod' must not include <$inc> (STYLE.md section 1)"
          ;;
      esac
    done
  fi
done < <(find common grammar analyzer rules builder cli lsp -type f \( -name '*.c' -o -name '*.h' \) \
           -not -path 'grammar/generator/tests/*' -not -path 'grammar/src/parser.c' 2>/dev/null | sort \
         | xargs grep -nHE '^[[:space:]]*#[[:space:]]*include' /dev/null)

exit $status
