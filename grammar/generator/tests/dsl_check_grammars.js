// Every test grammar's grammar.js, run through grammar/dsl.js in this one
// process, must give its committed grammar.json byte for byte.
//   node dsl_check_grammars.js path/to/dsl.js path/to/grammars
'use strict';

const fs = require('fs');
const path = require('path');

const { generateJson } = require(path.resolve(process.argv[2]));
const dir = path.resolve(process.argv[3]);

let passed = 0;
let failed = 0;
for (const name of fs.readdirSync(dir).sort()) {
  const js = path.join(dir, name, 'grammar.js');
  if (!fs.existsSync(js)) continue;
  const committed = path.join(dir, name, 'grammar.json');
  let text;
  try {
    text = generateJson(js);
  } catch (e) {
    console.log(`FAIL: ${name}: dsl.js failed: ${e.message}`);
    failed++;
    continue;
  }
  const want = fs.existsSync(committed) ? fs.readFileSync(committed, 'utf8') : '';
  if (text !== want) {
    const a = want.split('\n');
    const b = text.split('\n');
    let line = 0;
    while (line < a.length && line < b.length && a[line] === b[line]) line++;
    console.log(`FAIL: ${name}: grammar.json differs from what dsl.js writes, from line ${line + 1}:`);
    console.log(`  committed: ${a[line] === undefined ? '(end of file)' : a[line]}`);
    console.log(`  dsl.js:    ${b[line] === undefined ? '(end of file)' : b[line]}`);
    console.log(`  regenerate: node grammar/dsl.js ${name}/grammar.js -o ${name}/grammar.json`);
    failed++;
  } else {
    console.log(`ok: ${name}`);
    passed++;
  }
}
if (passed + failed === 0) {
  console.log(`FAIL: no grammar.js under ${dir}`);
  failed++;
}
console.log(`dsl grammars: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
