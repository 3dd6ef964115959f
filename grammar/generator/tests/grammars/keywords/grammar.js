// Keywords with a `word` token: `if`, `else`, `while`, `return`, `true`
// and `false` are lexed as identifiers first and then recognised, so
// `iffy` and `whiley` stay identifiers, and a keyword where no keyword is
// expected is an identifier too.
module.exports = grammar({
  name: 'keywords',

  word: $ => $.identifier,

  rules: {
    program: $ => repeat($._statement),

    _statement: $ => choice(
      $.if_statement,
      $.while_statement,
      $.return_statement,
      $.block,
      $.expression_statement,
    ),

    // Right associativity makes `else` belong to the nearest `if`.
    if_statement: $ => prec.right(seq(
      'if',
      field('condition', $._expression),
      field('consequence', $._statement),
      optional(seq('else', field('alternative', $._statement))),
    )),

    while_statement: $ => seq(
      'while',
      field('condition', $._expression),
      field('body', $._statement),
    ),

    return_statement: $ => seq('return', optional($._expression), ';'),

    block: $ => seq('{', repeat($._statement), '}'),

    expression_statement: $ => seq($._expression, ';'),

    _expression: $ => choice(
      $.identifier,
      $.number,
      $.true,
      $.false,
      $.call,
    ),

    call: $ => seq(
      field('function', $.identifier),
      '(',
      optional(seq($._expression, repeat(seq(',', $._expression)))),
      ')',
    ),

    true: $ => 'true',

    false: $ => 'false',

    number: $ => /\d+/,

    identifier: $ => /[a-zA-Z_][a-zA-Z0-9_]*/,
  },
});
