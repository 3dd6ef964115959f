/**
 * The Dockerfile language as BuildKit reads it, for dockwright's analyzer and
 * for editors (tree-sitter grammar DSL; compiled by dockwright's own tsgen).
 *
 * Design (see grammar/README.md for the node reference):
 * - Everything that depends on the escape character (line continuations,
 *   escape sequences, shell text) or on more than one token of context
 *   (comments only at line starts, parser directives only at the top,
 *   heredocs, JSON detection with BuildKit's fallback to shell form) is
 *   scanned by src/scanner.c. The escape character set by `# escape=` lives
 *   in the scanner's state.
 * - Newlines end instructions and are not extras. Line continuations and
 *   comment lines are extras, so they may appear between any two tokens of
 *   an instruction, as BuildKit drops them there.
 * - Arguments that BuildKit expands are words made of pieces (text, quoted
 *   strings, escape sequences, `$name` and `${name...}` expansions). The
 *   pieces of one word touch (immediate tokens); a blank starts a new word.
 * - Instruction keywords are case-insensitive patterns aliased to their
 *   upper-case spelling, so queries can match "FROM".
 */

// Every token that may start a new word of one kind also exists as an
// immediate token that continues the current word: the parser sees whether a
// blank came before it.
const W = {
  // Blank-split words (FROM image, COPY/ADD/VOLUME paths, EXPOSE): BuildKit
  // splits on blanks before it looks at quotes, so a quote inside a word is
  // text; a word may still start with a quoted string (`COPY "a" /b/`).
  plain: /[^\s$\\`]+/,
  // Quote-aware words (ENV/LABEL/ARG values, flag values, USER, WORKDIR,
  // STOPSIGNAL): quotes group, blanks end the word outside quotes.
  quoted: /[^\s$\\`"']+/,
  // Keys of ENV/LABEL/ARG pairs stop at '='.
  key: /[^\s$\\`"'=]+/,
  // USER stops at ':' (user:group).
  user: /[^\s$\\`"':]+/,
  // --mount options: stop at ',' and '='.
  mount: /[^\s$\\`"',=]+/,
};

// The first piece of a word never starts with '=': where a token before it
// may be followed by an immediate '=' (`--flag=value`, `name=value`), the
// longest-match rule would otherwise read '=value' as the next word.
const FIRST = {
  plain: /[^\s$\\`="'][^\s$\\`]*/,
  quoted: /[^\s$\\`"'=][^\s$\\`"']*/,
  key: W.key,
  user: /[^\s$\\`"':=][^\s$\\`"':]*/,
};

function kw(word) {
  // A case-insensitive keyword, shown as its upper-case spelling.
  return alias(new RegExp(word.toLowerCase(), 'i'), word);
}

// The pieces that continue a word: each touches the one before.
function immPieces($, kind) {
  return [
    alias(token.immediate(W[kind]), $.text),
    $._imm_dollar,
    alias($._imm_expansion, $.expansion),
    alias($._imm_escape_sequence, $.escape_sequence),
    $._imm_plain_backslash,
    alias($._imm_double_quoted_string, $.double_quoted_string),
    alias($._imm_single_quoted_string, $.single_quoted_string),
  ];
}

// One word of the given kind: a first piece (a blank may come before it),
// then touching pieces.
function word($, kind) {
  return seq(
    choice(
      alias(FIRST[kind], $.text),
      $._dollar,
      $.expansion,
      $.escape_sequence,
      $._plain_backslash,
      $.double_quoted_string,
      $.single_quoted_string,
    ),
    repeat(choice(...immPieces($, kind))),
  );
}

// A word that must touch what comes before it (a value after '=').
function immWord($, kind) {
  return repeat1(choice(...immPieces($, kind)));
}

module.exports = grammar({
  name: 'dockwright_dockerfile',

  extras: ($) => [/[ \t\f\v\r\uFEFF]/, $.line_continuation, $.comment],

  externals: ($) => [
    $.line_continuation,
    $.comment,
    $._directive_start,
    $.shell_fragment,
    $.heredoc_marker,
    $._heredoc_nl,
    $.heredoc_body,
    $.heredoc_end,
    $.escape_sequence,
    $._imm_escape_sequence,
    $._plain_backslash,
    $._imm_plain_backslash,
    $._json_open,
    $._flag_start,
    $._eof,
    $.directive_value,
    $._error_sentinel,
  ],

  rules: {
    source_file: ($) =>
      seq(
        repeat(seq($.parser_directive, $._line_end)),
        repeat(choice(seq($._instruction, $._line_end), $._nl)),
      ),

    _nl: (_) => /\r?\n/,
    _line_end: ($) => choice($._nl, $._eof),

    parser_directive: ($) =>
      seq(
        $._directive_start,
        field('name', $.directive_name),
        '=',
        optional(field('value', $.directive_value)),
      ),
    directive_name: (_) => /[A-Za-z][A-Za-z0-9]*/,

    _instruction: ($) =>
      choice(
        $.from_instruction,
        $.run_instruction,
        $.cmd_instruction,
        $.label_instruction,
        $.maintainer_instruction,
        $.expose_instruction,
        $.env_instruction,
        $.add_instruction,
        $.copy_instruction,
        $.entrypoint_instruction,
        $.volume_instruction,
        $.user_instruction,
        $.workdir_instruction,
        $.arg_instruction,
        $.onbuild_instruction,
        $.stopsignal_instruction,
        $.healthcheck_instruction,
        $.shell_instruction,
        $.unknown_instruction,
      ),

    // ---------------------------------------------------------------- FROM
    from_instruction: ($) =>
      seq(
        kw('FROM'),
        repeat($.flag),
        field('image', $.image_spec),
        optional(seq(kw('AS'), field('as', $.image_alias))),
      ),
    image_spec: ($) => word($, 'plain'),
    image_alias: ($) => word($, 'plain'),

    // ----------------------------------------------------------------- RUN
    run_instruction: ($) =>
      seq(
        kw('RUN'),
        repeat($.flag),
        optional(
          choice(
            $.json_string_array,
            seq(alias($._shell_command_heredoc, $.shell_command), optional($._heredocs)),
          ),
        ),
      ),

    // A missing command parses; the analyzer reports it (BuildKit's message
    // depends on the instruction).
    cmd_instruction: ($) => seq(kw('CMD'), repeat($.flag), optional($._command)),
    entrypoint_instruction: ($) => seq(kw('ENTRYPOINT'), repeat($.flag), optional($._command)),
    shell_instruction: ($) => seq(kw('SHELL'), repeat($.flag), optional($._command)),
    _command: ($) => choice($.json_string_array, $.shell_command),

    shell_command: ($) => repeat1($.shell_fragment),
    _shell_command_heredoc: ($) => repeat1(choice($.shell_fragment, $.heredoc_marker)),

    _heredocs: ($) => seq($._heredoc_nl, repeat1($.heredoc_block)),
    heredoc_block: ($) => seq(optional($.heredoc_body), $.heredoc_end),

    // ----------------------------------------------------- COPY, ADD, VOLUME
    copy_instruction: ($) => seq(kw('COPY'), repeat($.flag), $._paths),
    add_instruction: ($) => seq(kw('ADD'), repeat($.flag), $._paths),
    _paths: ($) =>
      choice(
        $.json_string_array,
        seq(repeat1(choice($.path, $.heredoc_marker)), optional($._heredocs)),
      ),
    path: ($) => word($, 'plain'),

    volume_instruction: ($) =>
      seq(kw('VOLUME'), repeat($.flag), choice($.json_string_array, repeat1($.path))),

    // ------------------------------------------------------------ ENV, LABEL
    env_instruction: ($) =>
      seq(kw('ENV'), repeat($.flag), choice(repeat1($.env_pair), alias($._legacy_env_pair, $.env_pair))),
    env_pair: ($) =>
      seq(field('name', $.key), token.immediate('='), optional(field('value', $.value))),
    _legacy_env_pair: ($) => seq(field('name', $.key), field('value', $.legacy_value)),

    label_instruction: ($) =>
      seq(
        kw('LABEL'),
        repeat($.flag),
        choice(repeat1($.label_pair), alias($._legacy_label_pair, $.label_pair)),
      ),
    label_pair: ($) =>
      seq(field('key', $.key), token.immediate('='), optional(field('value', $.value))),
    _legacy_label_pair: ($) => seq(field('key', $.key), field('value', $.legacy_value)),

    key: ($) => word($, 'key'),
    value: ($) => immWord($, 'quoted'),
    // The legacy `ENV name value...` form: the value is the rest of the line.
    legacy_value: ($) => repeat1(word($, 'quoted')),

    // ------------------------------------------------------------------ ARG
    arg_instruction: ($) => seq(kw('ARG'), repeat($.flag), repeat1($.arg_pair)),
    arg_pair: ($) =>
      seq(
        field('name', $.key),
        optional(seq(token.immediate('='), optional(field('default', $.value)))),
      ),

    // --------------------------------------------------------------- EXPOSE
    expose_instruction: ($) => seq(kw('EXPOSE'), repeat($.flag), repeat1($.expose_port)),
    expose_port: ($) => word($, 'plain'),

    // ------------------------------------------- USER, WORKDIR, STOPSIGNAL
    user_instruction: ($) =>
      seq(
        kw('USER'),
        repeat($.flag),
        field('user', alias($._user_name, $.user_name)),
        optional(seq(token.immediate(':'), optional(field('group', alias($._user_group, $.user_group))))),
      ),
    _user_name: ($) => repeat1(word($, 'user')),
    _user_group: ($) => repeat1(word($, 'user')),

    workdir_instruction: ($) => seq(kw('WORKDIR'), repeat($.flag), field('path', alias($._text_words, $.path))),
    stopsignal_instruction: ($) =>
      seq(kw('STOPSIGNAL'), repeat($.flag), field('signal', alias($._text_words, $.signal))),
    // The whole rest of the line is one argument; blanks inside are kept.
    _text_words: ($) => repeat1(word($, 'quoted')),

    // ----------------------------------------------------------- MAINTAINER
    maintainer_instruction: ($) =>
      seq(kw('MAINTAINER'), repeat($.flag), alias($.shell_command, $.maintainer_text)),

    // ---------------------------------------------------------- HEALTHCHECK
    healthcheck_instruction: ($) =>
      seq(
        kw('HEALTHCHECK'),
        repeat($.flag),
        choice(kw('NONE'), seq(kw('CMD'), $._command)),
      ),

    // -------------------------------------------------------------- ONBUILD
    onbuild_instruction: ($) =>
      seq(kw('ONBUILD'), repeat($.flag), field('trigger', $._instruction)),

    // An instruction BuildKit does not know: the name as written and the
    // rest of the line, so the analyzer can report it instead of an ERROR.
    unknown_instruction: ($) =>
      seq(field('name', $.instruction_name), optional(alias($.shell_command, $.arguments))),
    instruction_name: (_) => /[^\s#\\`][^\s]*/,

    // ---------------------------------------------------------------- flags
    flag: ($) =>
      choice(
        seq(
          alias($._flag_start, '--'),
          field('name', alias(token.immediate('mount'), $.flag_name)),
          token.immediate('='),
          field('value', $.mount_options),
        ),
        seq(
          alias($._flag_start, '--'),
          field('name', alias(token.immediate(/[A-Za-z0-9][A-Za-z0-9_.-]*/), $.flag_name)),
          optional(seq(token.immediate('='), optional(field('value', $.flag_value)))),
        ),
      ),
    flag_value: ($) => immWord($, 'quoted'),

    // --mount=type=cache,target=/root/.cache,sharing=locked, also written as
    // one quoted string (BuildKit reads the value as a CSV record).
    mount_options: ($) =>
      choice(
        seq($.mount_option, repeat(seq(token.immediate(','), $.mount_option))),
        seq(
          token.immediate('"'),
          alias($._quoted_mount_option, $.mount_option),
          repeat(seq(token.immediate(','), alias($._quoted_mount_option, $.mount_option))),
          token.immediate('"'),
        ),
      ),
    mount_option: ($) =>
      seq(
        field('key', $.mount_key),
        optional(seq(token.immediate('='), optional(field('value', $.mount_value)))),
      ),
    _quoted_mount_option: ($) =>
      seq(
        field('key', $.mount_key),
        optional(
          seq(
            token.immediate('='),
            optional(field('value', alias($._quoted_mount_value, $.mount_value))),
          ),
        ),
      ),
    mount_key: (_) => token.immediate(W.mount),
    _quoted_mount_value: ($) =>
      repeat1(
        choice(
          alias(token.immediate(/[^"$\\`,=\n]+/), $.text),
          $._imm_dollar,
          alias($._imm_expansion, $.expansion),
          alias($._imm_escape_sequence, $.escape_sequence),
          $._imm_plain_backslash,
        ),
      ),
    mount_value: ($) =>
      repeat1(
        choice(
          alias(token.immediate(W.mount), $.text),
          $._imm_dollar,
          alias($._imm_expansion, $.expansion),
          alias($._imm_escape_sequence, $.escape_sequence),
          $._imm_plain_backslash,
          alias($._imm_single_quoted_string, $.single_quoted_string),
          alias($._imm_double_quoted_string, $.double_quoted_string),
        ),
      ),

    // ----------------------------------------------------------------- JSON
    // The scanner emits '[' only when the rest of the instruction is one
    // valid JSON array, as BuildKit decides between exec and shell form.
    json_string_array: ($) =>
      seq(
        alias($._json_open, '['),
        optional(seq($.json_string, repeat(seq(',', $.json_string)))),
        ']',
      ),
    json_string: ($) =>
      seq(
        '"',
        repeat(choice(alias(token.immediate(/[^"\\\n]+/), $.text), $.json_escape_sequence)),
        token.immediate('"'),
      ),
    json_escape_sequence: (_) =>
      token.immediate(seq('\\', choice(/["\\\/bfnrt]/, /u[0-9a-fA-F]{4}/))),

    // -------------------------------------------------------------- strings
    double_quoted_string: ($) => seq('"', optional($._dq_content), token.immediate('"')),
    _imm_double_quoted_string: ($) =>
      seq(token.immediate('"'), optional($._dq_content), token.immediate('"')),
    _dq_content: ($) =>
      repeat1(
        choice(
          alias(token.immediate(/[^"$\\`\n]+/), $.text),
          $._imm_dollar,
          alias($._imm_expansion, $.expansion),
          alias($._imm_escape_sequence, $.escape_sequence),
          $._imm_plain_backslash,
        ),
      ),
    single_quoted_string: ($) => seq("'", optional($._sq_content), token.immediate("'")),
    _imm_single_quoted_string: ($) =>
      seq(token.immediate("'"), optional($._sq_content), token.immediate("'")),
    // Single quotes are literal: the escape char is text there (only a
    // continuation at the line end still counts, as BuildKit joins lines
    // before it looks at quotes).
    _sq_content: ($) =>
      repeat1(choice(alias(token.immediate(/[^'\\`\n]+/), $.text), $._imm_plain_backslash)),

    // ----------------------------------------------------------- expansions
    // `$name`, `$1`, `$@` ...; a '$' before anything else is a literal.
    _dollar: ($) => choice($.simple_expansion, alias('$', $.text)),
    _imm_dollar: ($) =>
      choice(
        alias(token.immediate(/\$([A-Za-z_][A-Za-z0-9_]*|[0-9]|[@*#?$!-])/), $.simple_expansion),
        alias(token.immediate('$'), $.text),
      ),
    simple_expansion: (_) => /\$([A-Za-z_][A-Za-z0-9_]*|[0-9]|[@*#?$!-])/,

    expansion: ($) => seq('${', $._expansion_body),
    _imm_expansion: ($) => seq(token.immediate('${'), $._expansion_body),
    _expansion_body: ($) =>
      seq(
        optional(field('name', $.variable)),
        optional(
          seq(
            field('operator', alias(token.immediate(/:?[-+?=]|##?|%%?|\/\/?|\^\^?|,,?|:/), $.operator)),
            optional(field('word', $.expansion_word)),
          ),
        ),
        token.immediate('}'),
      ),
    variable: (_) => token.immediate(/[A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-]/),
    expansion_word: ($) =>
      repeat1(
        choice(
          alias(token.immediate(/[^}$\\`"'\n]+/), $.text),
          $._imm_dollar,
          alias($._imm_expansion, $.expansion),
          alias($._imm_escape_sequence, $.escape_sequence),
          $._imm_plain_backslash,
          alias($._imm_single_quoted_string, $.single_quoted_string),
          alias($._imm_double_quoted_string, $.double_quoted_string),
        ),
      ),
  },
});
