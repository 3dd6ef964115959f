#!/usr/bin/env bash
# Tests of grammar/dsl.js (skip, 77, without node).
#   check_dsl.sh unit DSL TEST.js        runs the DSL's own tests
#   check_dsl.sh grammars DSL DIR        DIR/*/grammar.js must give the
#                                        committed DIR/*/grammar.json
set -u
mode=${1:?usage: check_dsl.sh unit|grammars DSL ARG}
dsl=${2:?}
arg=${3:?}
command -v node >/dev/null || { echo "node not found: skipping"; exit 77; }

case $mode in
  unit)
    exec node "$arg" "$dsl"
    ;;
  grammars)
    exec node "$(dirname "$0")/dsl_check_grammars.js" "$dsl" "$arg"
    ;;
  *)
    echo "usage: check_dsl.sh unit|grammars DSL ARG" >&2
    exit 2
    ;;
esac
