// Fields, aliases, supertypes, hidden rules and inline rules.
//   var x: int = f(1);     declaration; `var` shows as the anonymous "let"
//   a[0] = b::c;           assignment whose fields come from a hidden rule
//   new point(1, 2);       a call shown as (constructor_call)
//   [1, [2]];              a tuple whose elements rule is aliased away
module.exports = grammar({
  name: 'fields_aliases',

  supertypes: $ => [$._statement, $._expression],

  inline: $ => [$._name],

  rules: {
    program: $ => repeat($._statement),

    _statement: $ => choice(
      $.declaration,
      $.assignment,
      $.expression_statement,
    ),

    // An anonymous alias on a terminal, a named alias on a terminal.
    declaration: $ => seq(
      alias('var', 'let'),
      field('name', $.identifier),
      optional(seq(':', field('type', alias($.identifier, $.type_identifier)))),
      optional(seq('=', field('value', $._expression))),
      ';',
    ),

    // The fields of the hidden _target show on the assignment.
    assignment: $ => seq(
      $._target,
      '=',
      field('right', $._expression),
      ';',
    ),

    _target: $ => seq(
      field('left', $._name),
      optional(seq('[', field('index', $._expression), ']')),
    ),

    expression_statement: $ => seq($._expression, ';'),

    _expression: $ => choice(
      $._name,
      $.number,
      $.call,
      $.new_expression,
      $.tuple,
    ),

    // Inlined at every use: never a node of its own.
    _name: $ => choice($.identifier, $.scoped_identifier),

    scoped_identifier: $ => seq(
      field('scope', $.identifier),
      '::',
      field('name', $.identifier),
    ),

    // A named alias on a hidden nonterminal.
    call: $ => seq(
      field('function', $._name),
      field('arguments', alias($._arguments, $.argument_list)),
    ),

    _arguments: $ => seq(
      '(',
      optional(seq(
        field('argument', $._expression),
        repeat(seq(',', field('argument', $._expression))),
      )),
      ')',
    ),

    // A named alias on a nonterminal that also appears unaliased.
    new_expression: $ => seq('new', alias($.call, $.constructor_call)),

    // An anonymous alias on a nonterminal: only its named children show.
    tuple: $ => seq('[', alias($.elements, 'elements'), ']'),

    elements: $ => seq($._expression, repeat(seq(',', $._expression))),

    number: $ => /\d+/,

    identifier: $ => /[a-z_]\w*/,
  },
});
