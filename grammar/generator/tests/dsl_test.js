// Tests of grammar/dsl.js: node dsl_test.js path/to/dsl.js
// Each test writes a grammar.js into a fresh temporary directory, runs
// dsl.js on it as a child process and checks the JSON, the exit status and
// the message. Prints "N passed, M failed" and exits 1 on any failure.
'use strict';

const assert = require('assert');
const childProcess = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const dsl = path.resolve(process.argv[2] || path.join(__dirname, '..', '..', 'dsl.js'));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dw-dsl-'));
let counter = 0;

function writeGrammar(source, name = 'grammar.js') {
  const dir = path.join(tmp, String(++counter));
  fs.mkdirSync(dir);
  const file = path.join(dir, name);
  fs.writeFileSync(file, source);
  return file;
}

function run(args) {
  const r = childProcess.spawnSync(process.execPath, [dsl, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Most tests load the grammar in this process (dsl.js exports its
// generator when required); the command line is tested separately.
const { generateJson, DslError } = require(dsl);

function generate(source) {
  const text = generateJson(writeGrammar(source));
  assert.ok(text.endsWith('}\n'), 'output ends with a newline');
  return { json: JSON.parse(text), text };
}

function failure(source) {
  try {
    generateJson(writeGrammar(source));
  } catch (e) {
    if (!(e instanceof DslError)) throw e;
    return e.message;
  }
  throw new assert.AssertionError({ message: 'the grammar was accepted' });
}

// The command line: exit 1, nothing on stdout, the message on stderr.
function cliFailure(source) {
  const r = run([writeGrammar(source)]);
  assert.strictEqual(r.status, 1, `want exit 1, got ${r.status}: ${r.stdout}${r.stderr}`);
  assert.strictEqual(r.stdout, '', 'nothing on stdout');
  return r.stderr;
}

const tests = [];
function test(name, fn) {
  tests.push({ name, fn });
}

test('minimal grammar: keys, default extras, 2-space JSON', () => {
  const { json, text } = generate(`module.exports = grammar({
    name: 'mini',
    rules: { source: $ => 'x' },
  });`);
  assert.deepStrictEqual(Object.keys(json),
    ['name', 'rules', 'extras', 'conflicts', 'precedences', 'externals', 'inline', 'supertypes']);
  assert.deepStrictEqual(json.extras, [{ type: 'PATTERN', value: '\\s' }]);
  assert.deepStrictEqual(json.rules, { source: { type: 'STRING', value: 'x' } });
  assert.ok(text.startsWith('{\n  "name": "mini",\n  "rules": {\n    "source": {\n'));
});

test('every DSL function and its shape', () => {
  const { json } = generate(`module.exports = grammar({
    name: 'all',
    word: $ => $.identifier,
    rules: {
      source: $ => seq(
        optional($.identifier),
        repeat($.number),
        repeat1(choice('a', /b+/)),
        token(seq('c', /d/)),
        token.immediate('e'),
        prec(2, $.number),
        prec.left($.number),
        prec.right(-1, $.number),
        prec.dynamic(3, $.number),
        prec('named', $.number),
        field('f', $.number),
        alias($.number, 'anon'),
        alias($.number, $.other),
        alias($.number, $.not_a_rule),
        blank(),
        /x/i,
      ),
      identifier: $ => /[a-z]+/,
      number: $ => /\\d+/,
      other: $ => 'o',
    },
  });`);
  assert.strictEqual(json.word, 'identifier');
  assert.deepStrictEqual(Object.keys(json).slice(0, 3), ['name', 'word', 'rules']);
  assert.deepStrictEqual(Object.keys(json.rules), ['source', 'identifier', 'number', 'other']);
  const m = json.rules.source.members;
  const num = { type: 'SYMBOL', name: 'number' };
  assert.deepStrictEqual(m[0], { type: 'CHOICE', members: [{ type: 'SYMBOL', name: 'identifier' }, { type: 'BLANK' }] });
  assert.deepStrictEqual(m[1], { type: 'REPEAT', content: num });
  assert.deepStrictEqual(m[2], { type: 'REPEAT1', content: { type: 'CHOICE', members: [{ type: 'STRING', value: 'a' }, { type: 'PATTERN', value: 'b+' }] } });
  assert.deepStrictEqual(m[3], { type: 'TOKEN', content: { type: 'SEQ', members: [{ type: 'STRING', value: 'c' }, { type: 'PATTERN', value: 'd' }] } });
  assert.deepStrictEqual(m[4], { type: 'IMMEDIATE_TOKEN', content: { type: 'STRING', value: 'e' } });
  assert.deepStrictEqual(m[5], { type: 'PREC', value: 2, content: num });
  assert.deepStrictEqual(m[6], { type: 'PREC_LEFT', value: 0, content: num });
  assert.deepStrictEqual(m[7], { type: 'PREC_RIGHT', value: -1, content: num });
  assert.deepStrictEqual(m[8], { type: 'PREC_DYNAMIC', value: 3, content: num });
  assert.deepStrictEqual(m[9], { type: 'PREC', value: 'named', content: num });
  assert.deepStrictEqual(m[10], { type: 'FIELD', name: 'f', content: num });
  assert.deepStrictEqual(m[11], { type: 'ALIAS', content: num, named: false, value: 'anon' });
  assert.deepStrictEqual(m[12], { type: 'ALIAS', content: num, named: true, value: 'other' });
  // An alias may name a node type that has no rule.
  assert.deepStrictEqual(m[13], { type: 'ALIAS', content: num, named: true, value: 'not_a_rule' });
  assert.deepStrictEqual(m[14], { type: 'BLANK' });
  assert.deepStrictEqual(m[15], { type: 'PATTERN', value: 'x', flags: 'i' });
  // Key order inside rule objects, as tree-sitter writes them.
  assert.deepStrictEqual(Object.keys(m[11]), ['type', 'content', 'named', 'value']);
  assert.deepStrictEqual(Object.keys(m[5]), ['type', 'value', 'content']);
  assert.deepStrictEqual(Object.keys(m[10]), ['type', 'name', 'content']);
});

// tree-sitter's CLI writes seq('x') as a SEQ of one member (seen in the
// grammar.json files it generated), so the DSL does not collapse it.
test('seq and choice with one member stay wrapped', () => {
  const { json } = generate(`module.exports = grammar({
    name: 'one',
    rules: { source: $ => seq(choice('a')), b: $ => seq($.source) },
  });`);
  assert.deepStrictEqual(json.rules.source,
    { type: 'SEQ', members: [{ type: 'CHOICE', members: [{ type: 'STRING', value: 'a' }] }] });
  assert.deepStrictEqual(json.rules.b, { type: 'SEQ', members: [{ type: 'SYMBOL', name: 'source' }] });
});

test('extras, externals, conflicts, precedences, inline, supertypes get $', () => {
  const { json } = generate(`module.exports = grammar({
    name: 'top',
    externals: $ => [$.heredoc, '}'],
    extras: $ => [/\\s/, $.comment],
    conflicts: $ => [[$.a, $.b]],
    precedences: $ => [['high', $.a], ['low']],
    inline: $ => [$._c],
    supertypes: $ => [$._c],
    rules: {
      source: $ => repeat(choice($.a, $.b, $.heredoc)),
      a: $ => 'a', b: $ => 'b', _c: $ => $.a,
      comment: $ => /#.*/,
    },
  });`);
  assert.deepStrictEqual(json.externals, [{ type: 'SYMBOL', name: 'heredoc' }, { type: 'STRING', value: '}' }]);
  assert.deepStrictEqual(json.extras, [{ type: 'PATTERN', value: '\\s' }, { type: 'SYMBOL', name: 'comment' }]);
  assert.deepStrictEqual(json.conflicts, [['a', 'b']]);
  assert.deepStrictEqual(json.precedences, [[{ type: 'STRING', value: 'high' }, { type: 'SYMBOL', name: 'a' }], [{ type: 'STRING', value: 'low' }]]);
  assert.deepStrictEqual(json.inline, ['_c']);
  assert.deepStrictEqual(json.supertypes, ['_c']);
});

test('inheritance: base rules keep their place, callbacks see the originals', () => {
  const dir = path.dirname(writeGrammar(`module.exports = grammar({
    name: 'base',
    extras: $ => [/\\s/],
    conflicts: $ => [[$.a, $.b]],
    rules: { source: $ => repeat($.a), a: $ => 'a', b: $ => 'b' },
  });`, 'base.js'));
  const child = path.join(dir, 'grammar.js');
  fs.writeFileSync(child, `const base = require('./base.js');
  module.exports = grammar(base, {
    name: 'child',
    extras: ($, original) => original.concat([$.comment]),
    conflicts: ($, original) => original.concat([[$.b, $.c]]),
    rules: {
      a: ($, original) => choice(original, 'A'),
      c: $ => 'c',
      comment: $ => /#.*/,
    },
  });`);
  const json = JSON.parse(generateJson(child));
  assert.strictEqual(json.name, 'child');
  assert.deepStrictEqual(Object.keys(json.rules), ['source', 'a', 'b', 'c', 'comment']);
  assert.deepStrictEqual(json.rules.a, { type: 'CHOICE', members: [{ type: 'STRING', value: 'a' }, { type: 'STRING', value: 'A' }] });
  assert.deepStrictEqual(json.extras, [{ type: 'PATTERN', value: '\\s' }, { type: 'SYMBOL', name: 'comment' }]);
  assert.deepStrictEqual(json.conflicts, [['a', 'b'], ['b', 'c']]);
});

test('undefined symbol names the rule and the symbol', () => {
  const err = cliFailure(`module.exports = grammar({
    name: 'bad',
    rules: { source: $ => seq($.item, ';'), item: $ => $.nowhere },
  });`);
  assert.match(err, /^dsl\.js: .*grammar\.js: rule 'item': undefined symbol 'nowhere'\n$/);
  assert.ok(!err.includes('    at '), 'no stack trace');
});

test('undefined symbol in conflicts, word and inline', () => {
  assert.match(failure(`module.exports = grammar({
    name: 'bad', conflicts: $ => [[$.source, $.ghost]], rules: { source: $ => 'x' } });`),
  /'conflicts': undefined symbol 'ghost'/);
  assert.match(failure(`module.exports = grammar({
    name: 'bad', word: $ => $.ghost, rules: { source: $ => 'x' } });`),
  /'word': undefined symbol 'ghost'/);
  assert.match(failure(`module.exports = grammar({
    name: 'bad', inline: $ => [$.ghost], rules: { source: $ => 'x' } });`),
  /'inline': undefined symbol 'ghost'/);
  assert.match(failure(`module.exports = grammar({
    name: 'bad', extras: $ => [$.ghost], rules: { source: $ => 'x' } });`),
  /'extras': undefined symbol 'ghost'/);
  assert.match(failure(`module.exports = grammar({
    name: 'bad', rules: { source: $ => alias($.ghost, 'x') } });`),
  /rule 'source': undefined symbol 'ghost'/);
});

test('bad arguments are named', () => {
  assert.match(failure(`module.exports = grammar({
    name: 'bad', rules: { source: $ => seq('a', 42) } });`),
  /rule 'source': invalid rule 42 \(seq argument 2\)/);
  assert.match(failure(`module.exports = grammar({
    name: 'bad', rules: { source: $ => prec(1.5, 'a') } });`),
  /rule 'source': prec\(\) precedence must be an integer or a string, got 1.5/);
  assert.match(failure(`module.exports = grammar({
    name: 'bad', rules: { source: $ => alias('a', 3) } });`),
  /rule 'source': alias\(\) value must be a string or a symbol, got 3/);
  assert.match(failure(`module.exports = grammar({
    name: 'bad', rules: { source: $ => field(7, 'a') } });`),
  /rule 'source': field\(\) name must be a non-empty string/);
  assert.match(failure(`module.exports = grammar({
    name: 'bad', rules: { source: $ => undefined } });`),
  /rule 'source': rule function returned undefined/);
  assert.match(failure(`module.exports = grammar({
    name: 'bad', rules: { source: $ => prec.dynamic('x', 'a') } });`),
  /prec\.dynamic\(\) precedence must be an integer/);
  assert.match(failure(`module.exports = grammar({ name: '9lives', rules: { source: $ => 'x' } });`),
    /grammar name must be a word/);
  assert.match(failure(`module.exports = grammar({ name: 'empty', rules: {} });`),
    /at least one rule/);
  assert.match(failure(`module.exports = { name: 'nope' };`), /not a grammar/);
});

test('a JavaScript error in grammar.js exits 1 with the message', () => {
  assert.match(cliFailure(`module.exports = grammar({ name: 'x', rules: { source: $ => oops() } });`),
    /oops is not defined/);
});

test('-o writes the file; usage errors exit 2', () => {
  const file = writeGrammar(`module.exports = grammar({ name: 'out', rules: { source: $ => 'x' } });`);
  const out = path.join(path.dirname(file), 'grammar.json');
  const r = run([file, '-o', out]);
  assert.strictEqual(r.status, 0, r.stderr);
  assert.strictEqual(r.stdout, '');
  assert.strictEqual(JSON.parse(fs.readFileSync(out, 'utf8')).name, 'out');
  assert.strictEqual(run([]).status, 2);
  assert.strictEqual(run([file, '--bogus']).status, 2);
  const missing = run([path.join(tmp, 'missing.js')]);
  assert.strictEqual(missing.status, 2);
  assert.match(missing.stderr, /cannot read/);
  // A failing grammar leaves no output file behind.
  const bad = writeGrammar(`module.exports = grammar({ name: 'b', rules: { source: $ => $.zz } });`);
  const badOut = path.join(path.dirname(bad), 'grammar.json');
  assert.strictEqual(run([bad, '-o', badOut]).status, 1);
  assert.ok(!fs.existsSync(badOut));
  assert.deepStrictEqual(fs.readdirSync(path.dirname(bad)), ['grammar.js']);
});

let passed = 0;
let failed = 0;
for (const t of tests) {
  try {
    t.fn();
    passed++;
    console.log(`ok - ${t.name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL - ${t.name}\n  ${String(e.message).split('\n').join('\n  ')}`);
  }
}
fs.rmSync(tmp, { recursive: true, force: true });
console.log(`dsl: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
