// Token conflicts and regex features. A source is a flat list of tokens:
//   longest match          = == ===, 1 vs 1.5, 0b101 vs 0 b 1
//   string over pattern    select (a string) vs name /[a-z]+/
//   explicit precedence    token(prec(1, /from/i)) beats name on "from"
//                          and stops the longer match: fromage = from age
//   immediate tokens       10px is a dimension, 10 px is two items
//   classes and {m,n}      #a1b2c3, AB-1234, 0b1{2,}
//   unicode escapes        greek letters, emoji (with the u flag)
//   case-insensitive flag  from FROM From
module.exports = grammar({
  name: 'lexical',

  rules: {
    source: $ => repeat($._item),

    _item: $ => choice(
      $.name,
      $.select,
      $.from_keyword,
      $.integer,
      $.float,
      $.bits,
      $.dimension,
      $.eq,
      $.eqeq,
      $.eqeqeq,
      $.color,
      $.code,
      $.quoted,
      $.greek,
      $.emoji,
    ),

    name: $ => /[a-z]+/,

    select: $ => 'select',

    from_keyword: $ => token(prec(1, /from/i)),

    integer: $ => /\d+/,

    float: $ => /\d+\.\d*([eE][+-]?\d+)?/,

    bits: $ => /0b[01]{2,}/,

    dimension: $ => seq($.integer, $.unit),

    unit: $ => token.immediate(/px|em|%/),

    eq: $ => '=',

    eqeq: $ => '==',

    eqeqeq: $ => '===',

    color: $ => /#[0-9a-fA-F]{6}/,

    code: $ => /[A-Z]{2,3}-\d{4}/,

    quoted: $ => /'([^'\\\n]|\\.)*'/,

    greek: $ => /[\u03B1-\u03C9]+/,

    emoji: $ => /[\u{1F600}-\u{1F64F}]+/u,
  },
});
