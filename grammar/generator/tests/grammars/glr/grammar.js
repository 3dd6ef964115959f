// C's `a * b;`: a declaration of a pointer `b` to type `a`, or a
// multiplication. An LR(1) parser cannot tell at `*` whether `a` is a type
// or an expression, so the grammar declares the conflict (the parser forks)
// and prec.dynamic prefers the declaration when both parses succeed.
module.exports = grammar({
  name: 'glr',

  conflicts: $ => [
    [$._type, $._expression],
  ],

  rules: {
    program: $ => repeat($._statement),

    _statement: $ => choice($.declaration, $.expression_statement),

    declaration: $ => prec.dynamic(1, seq(
      field('type', $._type),
      repeat($.pointer),
      field('declarator', $.identifier),
      ';',
    )),

    pointer: $ => '*',

    _type: $ => alias($.identifier, $.type_identifier),

    expression_statement: $ => seq($._expression, ';'),

    _expression: $ => choice(
      $.identifier,
      $.number,
      $.binary_expression,
      $.parenthesized_expression,
    ),

    binary_expression: $ => choice(
      prec.left(2, seq(field('left', $._expression), '*', field('right', $._expression))),
      prec.left(1, seq(field('left', $._expression), '+', field('right', $._expression))),
    ),

    parenthesized_expression: $ => seq('(', $._expression, ')'),

    number: $ => /\d+/,

    identifier: $ => /[a-z_]\w*/,
  },
});
