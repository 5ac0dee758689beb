// The grammar against the keyword table of src/language.rs: every keyword and every German word
// for one is highlighted where a keyword stands, and the grammar lists no word the table does not,
// so the grammar cannot fall behind the language unnoticed.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');
const { tokenize } = require('./tokenize');

const LANGUAGE_RS = path.join(__dirname, '..', '..', '..', 'src', 'language.rs');
const GRAMMAR = require('../syntaxes/klartext.tmLanguage.json');

/**
 * The rows of `KEYWORDS` in src/language.rs: `{ name, german, example }`. Each row is a call of
 * `row(…)` or `fact(…)` whose first string is the name and whose last is the example; the German
 * words are the one list of strings among its arguments (`&["zweck", "zwecke"]`).
 */
function keywordTable() {
  const source = fs.readFileSync(LANGUAGE_RS, 'utf8');
  const start = source.indexOf('pub static KEYWORDS');
  assert.notEqual(start, -1, 'src/language.rs has no `pub static KEYWORDS`');
  const end = source.indexOf('\n];', start);
  const strings = [];
  // The table with each string literal replaced by `@n@`, so that what is in quotes cannot be
  // taken for code.
  const code = source.slice(start, end).replace(/"((?:[^"\\]|\\[\s\S])*)"/g, (_, body) => {
    strings.push(unescapeRust(body));
    return `@${strings.length - 1}@`;
  });
  const literals = (text) => [...text.matchAll(/@(\d+)@/g)].map((m) => strings[Number(m[1])]);
  const rows = code.split(/\b(?:row|fact)\(/).slice(1).map((call) => {
    const all = literals(call);
    const lists = [...call.matchAll(/&\[([^\]]*)\]/g)].map((m) => m[1]).filter((list) => !/[A-Z]/.test(list));
    assert.ok(lists.length <= 1, `more than one list of words in ${call}`);
    return { name: all[0], german: lists.length ? literals(lists[0]) : [], example: all[all.length - 1] };
  });
  // That the table was read at all: a change to its shape fails here, not silently.
  assert.ok(rows.length > 50, `only ${rows.length} keywords read from src/language.rs`);
  for (const name of ['policy', 'activity', 'retention', 'restricted-by']) {
    assert.ok(rows.some((row) => row.name === name), `\`${name}\` not read from src/language.rs`);
  }
  for (const row of rows) {
    assert.match(row.name, /^[a-z][a-z0-9-]*$/, `not a keyword name: ${row.name}`);
    assert.ok(row.example.startsWith(row.name), `${row.name}: example ${row.example}`);
  }
  return rows;
}

function unescapeRust(body) {
  return body.replace(/\\(\n\s*|.)/g, (_, escaped) => {
    if (escaped.startsWith('\n')) return '';
    return { n: '\n', t: '\t', '"': '"', '\\': '\\', "'": "'", 0: '\0' }[escaped] ?? escaped;
  });
}

/** The words of an alternation in a rule of the grammar: `(a|b|c)` after `prefix`. */
function grammarWords(rule, prefix) {
  const match = GRAMMAR.repository[rule].match;
  const at = match.indexOf(prefix);
  assert.notEqual(at, -1, `the rule \`${rule}\` no longer has ${prefix}`);
  const words = /^([a-z|-]+)\)/.exec(match.slice(at + prefix.length));
  assert.ok(words, `the rule \`${rule}\` lists no words after ${prefix}`);
  return words[1].split('|');
}

const TABLE = keywordTable();
const NAMES = [...new Set(TABLE.map((row) => row.name))].sort();
const GERMAN = [...new Set(TABLE.flatMap((row) => row.german))].sort();

/** The scopes of the first token that reads `word` on line `line` of `source`. */
async function scopesOf(source, word, line = 0) {
  const lines = await tokenize(source);
  const token = lines[line].find((t) => t.text === word);
  assert.ok(token, `no token ${JSON.stringify(word)} in ${JSON.stringify(source)}: ${JSON.stringify(lines[line])}`);
  return token.scopes;
}

test('the grammar lists exactly the keywords of src/language.rs', () => {
  assert.deepEqual([...grammarWords('keyword', '[ \\t]*(')].sort(), NAMES);
});

test('the grammar lists exactly the German words of src/language.rs', () => {
  assert.deepEqual([...grammarWords('german-keyword', '[ \\t]*((?i:')].sort(), GERMAN);
});

test('every keyword is highlighted as a keyword where a keyword stands', async () => {
  for (const name of NAMES) {
    for (const [source, line] of [
      [name, 0],
      [`    ${name} "x"`, 0],
      [`policy "P" {\n  ${name} x\n}`, 1],
      [`officer {${name} "x"}`, 0],
      [`email "x"; ${name} "y"`, 0],
    ]) {
      const scopes = await scopesOf(source, name, line);
      assert.ok(scopes.includes('keyword.other.klartext'), `${JSON.stringify(source)}: ${name} is ${scopes.join(' ')}`);
    }
  }
});

test('every German word for a keyword is highlighted as one, in any case', async () => {
  for (const word of GERMAN) {
    const capitalised = word[0].toUpperCase() + word.slice(1);
    for (const written of [word, capitalised]) {
      const scopes = await scopesOf(`  ${written} "x"`, written);
      assert.ok(scopes.includes('keyword.other.german.klartext'), `${written} is ${scopes.join(' ')}`);
    }
  }
});

test('the example of every keyword starts with a keyword and has nothing invalid', async () => {
  for (const { name, example } of TABLE) {
    const [tokens] = await tokenize(example);
    assert.equal(tokens[0].text, name, example);
    assert.ok(tokens[0].scopes.includes('keyword.other.klartext'), `${example}: ${tokens[0].scopes.join(' ')}`);
    const invalid = tokens.filter((t) => t.scopes.some((s) => s.startsWith('invalid')));
    assert.deepEqual(invalid, [], example);
  }
});

test('the words that declare an id are keywords', () => {
  const declaration = GRAMMAR.repository.declaration.match;
  const words = /\(\?:\(([a-z|-]+)\)\|\(\(\?i:([a-z|]+)\)\)\)/.exec(declaration);
  assert.ok(words, declaration);
  for (const word of words[1].split('|')) assert.ok(NAMES.includes(word), word);
  for (const word of words[2].split('|')) assert.ok(GERMAN.includes(word), word);
});

test('a word that is not a keyword is not highlighted as one', async () => {
  for (const word of ['colour', 'purposes', 'policies', 'zwecks']) {
    const scopes = await scopesOf(`  ${word} "x"`, word);
    assert.ok(!scopes.some((s) => s.startsWith('keyword')), `${word} is ${scopes.join(' ')}`);
  }
});
