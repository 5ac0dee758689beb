// Checks the pages and fragments klartext wrote into a folder in a real browser: axe-core's
// WCAG 2.0/2.1 A and AA rules and its best practices, in light and dark mode, at 1280 and 360 CSS
// pixels; and reflow (WCAG 1.4.10) at 1280, 360 and 320 pixels: nothing may be wider than the
// window, except inside a table's own scrolling box (`.table`). A fragment is checked as a site
// embeds it: in a host page with its own skip link to `#inhalt`, styled by `fragment.css`. Ids must
// be unique and every link to one must have its target.
//
//   node check.mjs OUT_DIR [--screenshots DIR]
//
// Exits 1 on any violation, 2 when it cannot run. Chromium is the system's (/usr/bin/chromium, or
// $CHROMIUM); axe-core and playwright-core are the versions package-lock.json pins.

import { existsSync, readFileSync, readdirSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];
const AXE_VIEWPORTS = [1280, 360];
const REFLOW_VIEWPORTS = [1280, 360, 320];
const SCHEMES = ["light", "dark"];

function usage(message) {
  console.error(`${message}\nusage: node check.mjs OUT_DIR [--screenshots DIR]`);
  process.exit(2);
}

const args = process.argv.slice(2);
let outDir;
let shotsDir;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--screenshots") {
    shotsDir = args[++i] ?? usage("--screenshots needs a folder");
  } else if (outDir === undefined) {
    outDir = args[i];
  } else {
    usage(`unexpected argument ${args[i]}`);
  }
}
if (outDir === undefined) usage("name the folder klartext wrote");
outDir = resolve(outDir);

const files = readdirSync(outDir).filter((name) => name.endsWith(".html")).sort();
const pages = files.filter((name) => !name.endsWith(".fragment.html"));
const fragments = files.filter((name) => name.endsWith(".fragment.html"));
if (files.length === 0) usage(`${outDir} holds no .html files`);

/** The fragment's stylesheet that `compile` wrote beside the fragments, if it did. */
function fragmentCss() {
  const css = join(outDir, "fragment.css");
  return existsSync(css) ? readFileSync(css, "utf8") : "";
}

/** A host page as a site would have one, with the fragment in its main content and its
    stylesheet (inline: the page is given to the browser as a string, which may not load files). */
function hostPage(fragment) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Host page for ${fragment}</title>
<style>${fragmentCss()}</style>
<style>body { margin: 0; font-family: sans-serif; } main, header { max-width: 50rem; margin: 0 auto; padding: 1rem; }</style>
</head>
<body>
<header><a href="#inhalt">Skip to content</a></header>
<main id="inhalt">
${readFileSync(join(outDir, fragment), "utf8")}
</main>
</body>
</html>
`;
}

/** What is wrong with the layout at this width: elements wider than the window. */
function reflowProblems() {
  const width = document.documentElement.clientWidth;
  const problems = [];
  if (document.documentElement.scrollWidth > width) {
    problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth}px wide`);
  }
  for (const element of document.body.querySelectorAll("*")) {
    // Inside a table's box, width is the box's to scroll; the box itself must fit.
    if (element.parentElement?.closest(".table")) continue;
    const box = element.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.right > width + 0.5 || box.left < -0.5) {
      const id = element.id ? `#${element.id}` : "";
      const text = (element.textContent || "").replace(/\s+/g, " ").trim().slice(0, 60);
      problems.push(
        `<${element.localName}${id}> spans ${Math.round(box.left)}–${Math.round(box.right)}px: "${text}"`,
      );
    }
  }
  return problems;
}

/** Ids that appear twice, and links to an id that is not there. */
function idProblems() {
  const problems = [];
  const seen = new Set();
  for (const element of document.querySelectorAll("[id]")) {
    if (seen.has(element.id)) problems.push(`id "${element.id}" appears more than once`);
    seen.add(element.id);
  }
  for (const link of document.querySelectorAll('a[href^="#"]')) {
    const target = decodeURIComponent(link.getAttribute("href").slice(1));
    if (!seen.has(target)) problems.push(`link to #${target} has no target`);
  }
  return problems;
}

const documents = [
  ...pages.map((name) => ({ name, url: pathToFileURL(join(outDir, name)).href })),
  ...fragments.map((name) => ({ name: `${name} (in a host page)`, html: hostPage(name), shot: name })),
];

let browser;
try {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox"],
  });
} catch (error) {
  console.error(`cannot start Chromium: ${error.message}`);
  process.exit(2);
}

if (shotsDir) mkdirSync(shotsDir, { recursive: true });
let violations = 0;
let runs = 0;
const report = (name, where, lines) => {
  for (const line of lines) console.log(`${name} ${where}: ${line}`);
};

for (const doc of documents) {
  for (const scheme of SCHEMES) {
    const context = await browser.newContext({ colorScheme: scheme, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    if (doc.url) {
      await page.goto(doc.url);
    } else {
      await page.setContent(doc.html, { waitUntil: "load" });
    }
    await page.addScriptTag({ content: axeSource });
    if (scheme === "light") {
      const problems = await page.evaluate(idProblems);
      violations += problems.length;
      report(doc.name, "ids", problems);
    }
    for (const width of REFLOW_VIEWPORTS) {
      await page.setViewportSize({ width, height: 900 });
      if (AXE_VIEWPORTS.includes(width)) {
        runs += 1;
        const result = await page.evaluate(
          (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
          AXE_TAGS,
        );
        for (const v of result.violations) {
          violations += v.nodes.length;
          const targets = v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ");
          report(doc.name, `${width}px ${scheme}`, [`${v.id} (${v.impact}, ${v.nodes.length}×): ${v.help} – ${targets}`]);
        }
      }
      if (scheme === "light") {
        const problems = await page.evaluate(reflowProblems);
        violations += problems.length;
        report(doc.name, `reflow ${width}px`, problems);
      }
      if (shotsDir && width === 360) {
        const file = join(shotsDir, `${basename(doc.shot ?? doc.name, ".html")}-360-${scheme}.png`);
        await page.screenshot({ path: file, fullPage: true });
      }
    }
    await context.close();
  }
}
await browser.close();

console.log(
  `browser checks: ${pages.length} pages and ${fragments.length} fragments, ${runs} axe runs ` +
    `(${AXE_TAGS.join(", ")}; ${AXE_VIEWPORTS.join(" and ")}px; light and dark), ` +
    `reflow at ${REFLOW_VIEWPORTS.join(", ")}px: ${violations} ${violations === 1 ? "violation" : "violations"}`,
);
process.exit(violations === 0 ? 0 : 1);
