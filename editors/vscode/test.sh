#!/usr/bin/env bash
# The tests of the VS Code extension: the grammar against the annotated fixtures in tests/*.klar
# (vscode-tmgrammar-test) and the Node tests in tests/*.test.js (the keyword table of
# src/language.rs against the grammar, and the client in extension.js). Needs Node.js and npm;
# installs the pinned packages of package-lock.json into node_modules/.
set -euo pipefail
cd "$(dirname "$0")"

echo "== npm ci (editors/vscode)"
npm ci --no-audit --no-fund --loglevel=error

echo "== vscode-tmgrammar-test tests/*.klar"
# Markdown, which text blocks embed, comes from tm-grammars (VS Code has it built in). The
# grammars Markdown embeds for fenced code are not there, and the tool says so for each one: those
# lines are left out. `timeout`: a malformed assertion line can make the tool's parser backtrack
# for hours (two ` - ` in one line).
timeout 300 node node_modules/vscode-tmgrammar-test/dist/unit.js \
  --grammar node_modules/tm-grammars/grammars/markdown.json \
  'tests/*.klar' \
  2> >(grep -v -E '^grammar not found for "' >&2 || true)
# Reached only when every assertion held (the tool exits non-zero otherwise): count them.
node -e '
  const fs = require("node:fs");
  const { parseGrammarTestCase } = require("vscode-tmgrammar-test/dist/unit/index");
  const files = fs.readdirSync("tests").filter((f) => f.endsWith(".klar"));
  const count = files.reduce((n, f) => n + parseGrammarTestCase(fs.readFileSync(`tests/${f}`, "utf8"))
    .assertions.reduce((m, line) => m + line.scopeAssertions.length, 0), 0);
  console.log(`${files.length} files, ${count} scope assertions`);
  console.log(`grammar: ${count} passed, 0 failed`);
'

echo "== node --test tests/*.test.js"
node --test tests/*.test.js
