// Arithmetic: precedence and associativity. From loosest to tightest:
// + - (left), * / (left), unary minus, ^ (right). So -2^2 is -(2^2) and
// -2*3 is (-2)*3.
const PREC = { sum: 1, product: 2, unary: 3, power: 4 };

module.exports = grammar({
  name: 'arithmetic',

  extras: $ => [/\s/, $.comment],

  rules: {
    program: $ => repeat($.statement),

    statement: $ => seq($._expression, ';'),

    _expression: $ => choice(
      $.number,
      $.variable,
      $.parenthesized,
      $.unary,
      $.binary,
    ),

    parenthesized: $ => seq('(', $._expression, ')'),

    unary: $ => prec(PREC.unary, seq('-', $._expression)),

    binary: $ => choice(
      ...[
        ['+', prec.left, PREC.sum],
        ['-', prec.left, PREC.sum],
        ['*', prec.left, PREC.product],
        ['/', prec.left, PREC.product],
        ['^', prec.right, PREC.power],
      ].map(([op, assoc, level]) => assoc(level, seq(
        field('left', $._expression),
        field('operator', op),
        field('right', $._expression),
      ))),
    ),

    number: $ => /\d+(\.\d+)?/,

    variable: $ => /[a-z]\w*/,

    comment: $ => token(seq('#', /.*/)),
  },
});
