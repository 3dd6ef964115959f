// Named precedences: the `precedences` list orders them, earlier binding
// tighter. Member access and calls bind tighter than `!`, which binds
// tighter than `*`, then `+`, then the right-associative `? :`.
module.exports = grammar({
  name: 'precedences',

  precedences: _ => [
    ['member', 'call', 'unary', 'times', 'plus', 'conditional'],
  ],

  rules: {
    program: $ => repeat(seq($._expression, ';')),

    _expression: $ => choice(
      $.identifier,
      $.member,
      $.call,
      $.unary,
      $.binary,
      $.conditional,
      $.parenthesized,
    ),

    member: $ => prec('member', seq(
      field('object', $._expression),
      '.',
      field('property', $.identifier),
    )),

    call: $ => prec('call', seq(field('function', $._expression), '(', ')')),

    unary: $ => prec('unary', seq('!', $._expression)),

    binary: $ => choice(
      prec.left('times', seq($._expression, '*', $._expression)),
      prec.left('plus', seq($._expression, '+', $._expression)),
    ),

    conditional: $ => prec.right('conditional', seq(
      field('condition', $._expression),
      '?',
      field('consequence', $._expression),
      ':',
      field('alternative', $._expression),
    )),

    parenthesized: $ => seq('(', $._expression, ')'),

    identifier: $ => /[a-z]+/,
  },
});
