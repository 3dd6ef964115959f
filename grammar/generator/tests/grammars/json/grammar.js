// JSON (RFC 8259): a document is a sequence of values; strings keep their
// unescaped runs and escape sequences as separate nodes.
const commaSep = rule => optional(seq(rule, repeat(seq(',', rule))));

module.exports = grammar({
  name: 'json',

  extras: $ => [/\s/],

  rules: {
    document: $ => repeat($._value),

    _value: $ => choice(
      $.object,
      $.array,
      $.number,
      $.string,
      $.true,
      $.false,
      $.null,
    ),

    object: $ => seq('{', commaSep($.pair), '}'),

    pair: $ => seq(field('key', $.string), ':', field('value', $._value)),

    array: $ => seq('[', commaSep($._value), ']'),

    string: $ => seq(
      '"',
      repeat(choice($.string_content, $.escape_sequence)),
      '"',
    ),

    // Immediate, so the whitespace after the opening quote is content and
    // not skipped as an extra.
    string_content: $ => token.immediate(prec(1, /[^\\"\n]+/)),

    escape_sequence: $ => token.immediate(seq(
      '\\',
      /(["\\\/bfnrt]|u[0-9a-fA-F]{4})/,
    )),

    number: $ => token(seq(
      optional('-'),
      choice('0', /[1-9]\d*/),
      optional(seq('.', /\d+/)),
      optional(seq(/[eE]/, optional(/[+-]/), /\d+/)),
    )),

    true: $ => 'true',

    false: $ => 'false',

    null: $ => 'null',
  },
});
