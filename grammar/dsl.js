#!/usr/bin/env node
// dockwright's implementation of the tree-sitter grammar DSL.
//
//   node grammar/dsl.js path/to/grammar.js [-o grammar.json]
//
// Installs the DSL functions as globals (grammar, seq, choice, repeat,
// repeat1, optional, token, token.immediate, prec, prec.left, prec.right,
// prec.dynamic, field, alias, blank), loads grammar.js with require() and
// prints the grammar in the grammar.json schema that tree-sitter's CLI
// writes: the same keys in the same order, 2-space indented, final newline.
// The official CLI must accept the same grammar.js unchanged, so nothing
// here is an extension of the DSL.
//
// Errors (an undefined symbol, a bad argument to a DSL function) are
// reported as `dsl.js: <file>: rule '<name>': <what>` with exit status 1;
// usage and I/O errors exit 2. With -o the file is written through a
// temporary file and a rename, so a failure never leaves a partial file.
'use strict';

const fs = require('fs');
const path = require('path');

// A user error: the message is printed as is, without a stack trace.
class DslError extends Error {}

// The rule whose callback is running, to name it in error messages.
let currentContext = null;

function fail(message) {
  const where = currentContext ? `${currentContext}: ` : '';
  throw new DslError(where + message);
}

function describe(value) {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'object') {
    try {
      const text = JSON.stringify(value);
      if (text !== undefined) return text.length > 60 ? text.slice(0, 57) + '...' : text;
    } catch (e) {
      // A cyclic object: fall through to the generic description.
    }
    return 'an object';
  }
  return JSON.stringify(value);
}

// What `$.name` gives for a name that is not a rule: an error as soon as
// it is used as a rule, but a valid alias target (alias($.x, $.new_name)
// names a node type that needs no rule of its own).
class UndefinedSymbol {
  constructor(name) {
    this.name = name;
  }
}

// Rule values are plain objects with a string `type`; symbols come from
// the `$` proxy as {type: 'SYMBOL', name}.
function isRule(value) {
  return value !== null && typeof value === 'object' && !(value instanceof RegExp) &&
         typeof value.type === 'string';
}

// Turns what a grammar author may write where a rule is expected into a
// rule object: a string is a literal token, a RegExp a pattern.
function normalize(value, what) {
  if (value instanceof UndefinedSymbol) return fail(`undefined symbol '${value.name}'`);
  if (typeof value === 'string') return { type: 'STRING', value };
  if (value instanceof RegExp) {
    if (value.flags) return { type: 'PATTERN', value: value.source, flags: value.flags };
    return { type: 'PATTERN', value: value.source };
  }
  if (isRule(value)) return value;
  return fail(`invalid rule ${describe(value)}${what ? ` (${what})` : ''}`);
}

function blank() {
  return { type: 'BLANK' };
}

function seq(...members) {
  if (members.length === 0) fail('seq() needs at least one argument');
  // A single member is kept wrapped, as tree-sitter's own DSL does.
  return { type: 'SEQ', members: members.map((m, i) => normalize(m, `seq argument ${i + 1}`)) };
}

function choice(...members) {
  if (members.length === 0) fail('choice() needs at least one argument');
  return { type: 'CHOICE', members: members.map((m, i) => normalize(m, `choice argument ${i + 1}`)) };
}

function optional(value) {
  return choice(normalize(value, 'optional argument'), blank());
}

function repeat(value) {
  return { type: 'REPEAT', content: normalize(value, 'repeat argument') };
}

function repeat1(value) {
  return { type: 'REPEAT1', content: normalize(value, 'repeat1 argument') };
}

function token(value) {
  return { type: 'TOKEN', content: normalize(value, 'token argument') };
}

token.immediate = function immediate(value) {
  return { type: 'IMMEDIATE_TOKEN', content: normalize(value, 'token.immediate argument') };
};

// prec(n, rule): n is an integer or the name of a precedence from the
// grammar's `precedences` lists.
function checkPrecValue(value, fn) {
  if (typeof value === 'string') return;
  if (typeof value === 'number' && Number.isInteger(value)) return;
  fail(`${fn}() precedence must be an integer or a string, got ${describe(value)}`);
}

function prec(value, rule) {
  if (arguments.length < 2) fail('prec() needs a precedence and a rule');
  checkPrecValue(value, 'prec');
  return { type: 'PREC', value, content: normalize(rule, 'prec argument') };
}

// prec.left and prec.right take an optional precedence: prec.left(rule)
// means precedence 0.
function associative(type, fn) {
  return function (value, rule) {
    if (arguments.length === 0) fail(`${fn}() needs a rule`);
    if (arguments.length === 1) {
      rule = value;
      value = 0;
    }
    checkPrecValue(value, fn);
    return { type, value, content: normalize(rule, `${fn} argument`) };
  };
}

prec.left = associative('PREC_LEFT', 'prec.left');
prec.right = associative('PREC_RIGHT', 'prec.right');
prec.dynamic = function dynamic(value, rule) {
  if (arguments.length < 2) fail('prec.dynamic() needs a precedence and a rule');
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    fail(`prec.dynamic() precedence must be an integer, got ${describe(value)}`);
  }
  return { type: 'PREC_DYNAMIC', value, content: normalize(rule, 'prec.dynamic argument') };
};

function field(name, rule) {
  if (typeof name !== 'string' || name === '') {
    fail(`field() name must be a non-empty string, got ${describe(name)}`);
  }
  return { type: 'FIELD', name, content: normalize(rule, `field '${name}'`) };
}

// alias(rule, "text") shows the node as an anonymous node "text";
// alias(rule, $.name) as a named node (name).
function alias(rule, value) {
  const content = normalize(rule, 'alias argument');
  if (typeof value === 'string') {
    return { type: 'ALIAS', content, named: false, value };
  }
  if ((isRule(value) && value.type === 'SYMBOL') || value instanceof UndefinedSymbol) {
    return { type: 'ALIAS', content, named: true, value: value.name };
  }
  return fail(`alias() value must be a string or a symbol, got ${describe(value)}`);
}

function symbol(name) {
  return { type: 'SYMBOL', name };
}

// The `$` handed to callbacks. `known` decides which names exist; null
// accepts any name (inside `externals`, which introduces names).
function makeSymbolProxy(known) {
  return new Proxy(
    {},
    {
      get(target, name) {
        // Symbol-keyed lookups (util.inspect, Symbol.toPrimitive, ...)
        // and `then` (a thenable check) are not grammar symbols.
        if (typeof name !== 'string' || name === 'then') return undefined;
        if (known !== null && !known.has(name)) return new UndefinedSymbol(name);
        return symbol(name);
      },
      set() {
        fail('`$` is read-only');
      },
    },
  );
}

function withContext(context, fn) {
  const saved = currentContext;
  currentContext = context;
  try {
    return fn();
  } finally {
    currentContext = saved;
  }
}

function callOption(options, key, args) {
  const value = options[key];
  if (typeof value !== 'function') fail(`grammar '${key}' must be a function`);
  return withContext(`'${key}'`, () => value(...args));
}

// A list of symbols as their names (inline, supertypes, conflict entries).
function symbolNames(list, what) {
  if (!Array.isArray(list)) fail(`${what} must return an array`);
  return list.map((item) => {
    if (item instanceof UndefinedSymbol) fail(`undefined symbol '${item.name}'`);
    if (isRule(item) && item.type === 'SYMBOL') return item.name;
    return fail(`${what} entries must be symbols ($.name), got ${describe(item)}`);
  });
}

const NAME_RE = /^[a-zA-Z_]\w*$/;

function grammar(baseGrammar, options) {
  if (options === undefined) {
    options = baseGrammar;
    baseGrammar = undefined;
  }
  if (options === null || typeof options !== 'object') fail('grammar() needs an object');
  const base = baseGrammar === undefined ? null : baseGrammar.grammar;
  if (baseGrammar !== undefined && (base === undefined || base === null)) {
    fail('grammar(base, {...}): base is not a grammar');
  }

  const name = options.name !== undefined ? options.name : base && base.name;
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    fail(`grammar name must be a word that does not start with a digit, got ${describe(name)}`);
  }

  // Externals come first: their names may be used by every rule.
  let externals = base ? base.externals : [];
  if (options.externals !== undefined) {
    const list = callOption(options, 'externals', [makeSymbolProxy(null), base ? base.externals : []]);
    if (!Array.isArray(list)) fail("grammar 'externals' must return an array");
    externals = list.map((item, i) =>
      withContext("'externals'", () => normalize(item, `externals entry ${i + 1}`)),
    );
  }

  const ruleFns = options.rules || {};
  if (typeof ruleFns !== 'object') fail("grammar 'rules' must be an object");
  for (const key of Object.keys(ruleFns)) {
    if (typeof ruleFns[key] !== 'function') fail(`rule '${key}' must be a function`);
    if (!NAME_RE.test(key)) fail(`rule name '${key}' is not a word`);
  }

  // Base rules keep their positions (the first rule is the start rule);
  // new ones follow in the order written.
  const ruleNames = base ? Object.keys(base.rules) : [];
  for (const key of Object.keys(ruleFns)) {
    if (!ruleNames.includes(key)) ruleNames.push(key);
  }
  if (ruleNames.length === 0) fail('grammar must have at least one rule');

  const known = new Set(ruleNames);
  for (const ext of externals) {
    if (ext.type === 'SYMBOL') known.add(ext.name);
  }
  const $ = makeSymbolProxy(known);

  const rules = {};
  for (const key of ruleNames) {
    if (Object.prototype.hasOwnProperty.call(ruleFns, key)) {
      const previous = base ? base.rules[key] : undefined;
      rules[key] = withContext(`rule '${key}'`, () => {
        const value = ruleFns[key].call($, $, previous);
        if (value === undefined) fail('rule function returned undefined');
        return normalize(value);
      });
    } else {
      rules[key] = base.rules[key];
    }
  }

  let extras = base ? base.extras : [{ type: 'PATTERN', value: '\\s' }];
  if (options.extras !== undefined) {
    const list = callOption(options, 'extras', [$, base ? base.extras : []]);
    if (!Array.isArray(list)) fail("grammar 'extras' must return an array");
    extras = list.map((item, i) => withContext("'extras'", () => normalize(item, `extras entry ${i + 1}`)));
  }

  let word = base ? base.word : undefined;
  if (options.word !== undefined) {
    const value = callOption(options, 'word', [$]);
    if (value instanceof UndefinedSymbol) {
      withContext("'word'", () => fail(`undefined symbol '${value.name}'`));
    }
    if (!isRule(value) || value.type !== 'SYMBOL') {
      withContext("'word'", () => fail(`word must be a symbol ($.name), got ${describe(value)}`));
    }
    word = value.name;
  }

  let conflicts = base ? base.conflicts : [];
  if (options.conflicts !== undefined) {
    const baseConflicts = base ? base.conflicts.map((c) => c.map(symbol)) : [];
    const list = callOption(options, 'conflicts', [$, baseConflicts]);
    if (!Array.isArray(list)) fail("grammar 'conflicts' must return an array");
    conflicts = list.map((entry) => withContext("'conflicts'", () => symbolNames(entry, 'a conflict')));
  }

  let precedences = base ? base.precedences : [];
  if (options.precedences !== undefined) {
    const list = callOption(options, 'precedences', [$, base ? base.precedences : []]);
    if (!Array.isArray(list)) fail("grammar 'precedences' must return an array");
    precedences = list.map((entry) =>
      withContext("'precedences'", () => {
        if (!Array.isArray(entry)) fail('each precedences entry must be an array');
        return entry.map((item) => {
          const rule = normalize(item, 'precedences entry');
          if (rule.type !== 'STRING' && rule.type !== 'SYMBOL') {
            fail(`precedences entries must be strings or symbols, got ${describe(item)}`);
          }
          return rule;
        });
      }),
    );
  }

  let inline = base ? base.inline : [];
  if (options.inline !== undefined) {
    const baseInline = base ? base.inline.map(symbol) : [];
    const list = callOption(options, 'inline', [$, baseInline]);
    inline = withContext("'inline'", () => symbolNames(list, 'inline'));
  }

  let supertypes = base ? base.supertypes : [];
  if (options.supertypes !== undefined) {
    const baseSupertypes = base ? base.supertypes.map(symbol) : [];
    const list = callOption(options, 'supertypes', [$, baseSupertypes]);
    supertypes = withContext("'supertypes'", () => symbolNames(list, 'supertypes'));
  }

  // Key order as tree-sitter writes grammar.json; `word` is left out
  // when the grammar has none (JSON.stringify drops undefined).
  return {
    grammar: {
      name,
      word,
      rules,
      extras,
      conflicts,
      precedences,
      externals,
      inline,
      supertypes,
    },
  };
}

const GLOBALS = {
  grammar,
  seq,
  choice,
  repeat,
  repeat1,
  optional,
  token,
  prec,
  field,
  alias,
  blank,
};

function usage() {
  process.stderr.write('usage: node dsl.js GRAMMAR.js [-o OUTPUT.json]\n');
  process.exit(2);
}

function writeAtomic(file, text) {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  } catch (e) {
    try {
      fs.unlinkSync(tmp);
    } catch (ignored) {
      // Nothing was written.
    }
    throw e;
  }
}

// Loads grammar.js (an absolute path) and returns its grammar.json text.
// Every problem, in the DSL or in the grammar's own JavaScript, is thrown
// as a DslError whose message names the rule where one is known.
function generateJson(file) {
  Object.assign(globalThis, GLOBALS);
  let result;
  try {
    result = require(file);
  } catch (e) {
    if (e instanceof DslError) throw e;
    // A JavaScript error in grammar.js itself (syntax error, throw, ...):
    // its message and the line it points at.
    const where = e && e.stack ? String(e.stack).split('\n').slice(0, 2).join(' ') : String(e);
    throw new DslError(where);
  }
  if (result === null || typeof result !== 'object' || typeof result.grammar !== 'object') {
    throw new DslError('module.exports is not a grammar (use module.exports = grammar({...}))');
  }
  return JSON.stringify(result.grammar, null, 2) + '\n';
}

function main(argv) {
  let input = null;
  let output = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-o' || arg === '--output') {
      if (i + 1 >= argv.length) usage();
      output = argv[++i];
    } else if (arg === '-h' || arg === '--help') {
      process.stdout.write('usage: node dsl.js GRAMMAR.js [-o OUTPUT.json]\n');
      process.exit(0);
    } else if (arg.startsWith('-') && arg !== '-') {
      process.stderr.write(`dsl.js: unknown option '${arg}'\n`);
      usage();
    } else if (input === null) {
      input = arg;
    } else {
      usage();
    }
  }
  if (input === null) usage();

  const file = path.resolve(input);
  if (!fs.existsSync(file)) {
    process.stderr.write(`dsl.js: cannot read '${input}': no such file\n`);
    process.exit(2);
  }

  let text;
  try {
    text = generateJson(file);
  } catch (e) {
    if (!(e instanceof DslError)) throw e;
    process.stderr.write(`dsl.js: ${input}: ${e.message}\n`);
    process.exit(1);
  }
  if (output === null) {
    process.stdout.write(text);
    return;
  }
  try {
    writeAtomic(output, text);
  } catch (e) {
    process.stderr.write(`dsl.js: cannot write '${output}': ${e.message}\n`);
    process.exit(2);
  }
}

if (require.main === module) {
  main(process.argv.slice(2));
} else {
  // For tests: the generator without the command line around it.
  module.exports = { generateJson, DslError };
}
