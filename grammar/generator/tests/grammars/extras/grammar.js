// Extras: whitespace, a comment token, and a non-terminal extra: an
// annotation `@name` may stand between any two tokens and is a node with a
// child of its own.
module.exports = grammar({
  name: 'extras',

  extras: $ => [/\s/, $.comment, $.annotation],

  rules: {
    program: $ => repeat($.assignment),

    assignment: $ => seq(
      field('left', $.identifier),
      '=',
      field('right', choice($.identifier, $.number)),
      ';',
    ),

    annotation: $ => seq('@', $.identifier),

    comment: $ => token(seq('//', /[^\n]*/)),

    identifier: $ => /[a-z]+/,

    number: $ => /\d+/,
  },
});
