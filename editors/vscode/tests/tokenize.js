// Tokenizes klartext with the extension's grammar, as VS Code does (vscode-textmate and
// vscode-oniguruma), with the Markdown grammar text blocks embed. Run as a script, it prints the
// scopes of each token of a file: `node tests/tokenize.js ../../policies/lippstadt.klar`.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const textmate = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const extension = path.join(__dirname, '..');
const GRAMMARS = {
  'source.klartext': path.join(extension, 'syntaxes', 'klartext.tmLanguage.json'),
  // VS Code has it built in; the tests take the same grammar from tm-grammars.
  'text.html.markdown': require.resolve('tm-grammars/grammars/markdown.json'),
};

let registry;

/** The grammar of `source.klartext`, loaded once. */
async function grammar() {
  if (!registry) {
    const wasm = fs.readFileSync(path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm'));
    const onigLib = oniguruma.loadWASM(wasm.buffer).then(() => ({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }));
    registry = new textmate.Registry({
      onigLib,
      // Grammars Markdown embeds for fenced code (source.js, …) are not needed here.
      loadGrammar: async (scopeName) =>
        GRAMMARS[scopeName]
          ? textmate.parseRawGrammar(fs.readFileSync(GRAMMARS[scopeName], 'utf8'), GRAMMARS[scopeName])
          : null,
    });
  }
  return registry.loadGrammar('source.klartext');
}

/** The tokens of each line of `source`: `[{ text, scopes }]`, scopes outermost first. */
async function tokenize(source) {
  const g = await grammar();
  let stack = textmate.INITIAL;
  return source.split(/\r\n|\n/).map((line) => {
    const { tokens, ruleStack } = g.tokenizeLine(line, stack);
    stack = ruleStack;
    return tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes }));
  });
}

module.exports = { tokenize };

if (require.main === module) {
  const file = process.argv[2];
  tokenize(fs.readFileSync(file, 'utf8')).then((lines) => {
    lines.forEach((tokens, n) => {
      for (const t of tokens) {
        const scopes = t.scopes.slice(1).join(' ');
        if (t.text.trim()) console.log(`${n + 1}\t${JSON.stringify(t.text)}\t${scopes}`);
      }
    });
  });
}
