// Commands, one per line, with shell-like here-documents that an external
// scanner reads: `cat <<EOF` starts one (the scanner remembers the
// delimiter, which it must serialize), the lines after the command are its
// body, and a line holding just the delimiter ends it.
module.exports = grammar({
  name: 'externals',

  externals: $ => [
    $.heredoc_start,
    $.heredoc_body,
    $.heredoc_end,
  ],

  extras: $ => [/[ \t]/, $.comment],

  rules: {
    program: $ => repeat(choice($.command, '\n')),

    command: $ => seq(
      field('name', $.word),
      repeat(field('argument', $.word)),
      choice('\n', $.heredoc),
    ),

    heredoc: $ => seq(
      $.heredoc_start,
      '\n',
      optional($.heredoc_body),
      $.heredoc_end,
    ),

    word: $ => /[^\s#<]+/,

    comment: $ => /#[^\n]*/,
  },
});
