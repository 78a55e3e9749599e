#!/usr/bin/env node
'use strict';
/**
 * The shape of src/: import cycles, imports that run up the pipeline, files over their line budget and
 * functions over theirs. `node scripts/structure.js` prints one finding per line (exit 1 if any);
 * test/structure.test.ts asserts there are none.
 *
 * The pipeline, bottom to top: a module may import from its own stage or any stage below it, never above.
 */
const fs = require('node:fs');
const path = require('node:path');

const STAGES = [
  ['errors', 'random', 'smoothing', 'metrics', 'stats'],
  ['data'],
  ['config'],
  ['engine'],
  ['train'],
  ['store'],
  ['sweep'],
  ['text', 'html'],
  ['cli'],
  ['index'],
];
const MAX_FILE_LINES = 350;
const MAX_FUNCTION_LINES = 80;

function stageOf(srcDir, file) {
  const first = path.relative(srcDir, file).split(path.sep)[0].replace(/\.ts$/, '');
  const stage = STAGES.findIndex((names) => names.includes(first));
  return { name: first, stage };
}

function sourceFiles(dir) {
  const out = [];
  (function walk(d) {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ts$/.test(p) && !p.endsWith('.d.ts')) out.push(p);
    }
  })(dir);
  return out.sort();
}

/** Relative imports and re-exports of a file (type-only ones included: they bind the layers just the same). */
function importsOf(file) {
  const text = fs.readFileSync(file, 'utf8');
  const deps = [];
  for (const m of text.matchAll(/^\s*(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/gm)) {
    const target = path.join(path.dirname(file), m[1] ?? m[2]);
    for (const c of [`${target}.ts`, path.join(target, 'index.ts')]) {
      if (fs.existsSync(c)) {
        deps.push(c);
        break;
      }
    }
  }
  return deps;
}

function cycles(graph) {
  const found = [];
  const state = new Map();
  const seen = new Set();
  const visit = (node, stack) => {
    state.set(node, 1);
    stack.push(node);
    for (const dep of graph.get(node) ?? []) {
      if (state.get(dep) === 1) {
        const cycle = [...stack.slice(stack.indexOf(dep)), dep];
        const key = [...cycle].sort().join();
        if (!seen.has(key)) {
          seen.add(key);
          found.push(cycle);
        }
      } else if (!state.get(dep)) visit(dep, stack);
    }
    stack.pop();
    state.set(node, 2);
  };
  for (const node of graph.keys()) if (!state.get(node)) visit(node, []);
  return found;
}

/** Functions, methods and arrow functions longer than the budget, with their line span. */
function longFunctions(file, ts) {
  const text = fs.readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const found = [];
  const visit = (node) => {
    if (ts.isFunctionLike(node) && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
      if (end - start + 1 > MAX_FUNCTION_LINES) {
        const name = node.name ? node.name.getText(source) : ts.isVariableDeclaration(node.parent) ? node.parent.name.getText(source) : '(anonymous)';
        found.push({ name, start, lines: end - start + 1 });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Every finding for the src/ folder under `root`, as one line each. */
function analyse(root) {
  const srcDir = path.join(root, 'src');
  const rel = (f) => path.relative(root, f);
  const files = sourceFiles(srcDir);
  const graph = new Map(files.map((f) => [f, importsOf(f)]));
  const findings = [];
  for (const f of files) {
    const from = stageOf(srcDir, f);
    if (from.stage < 0) findings.push(`${rel(f)}: folder "${from.name}" has no place in the pipeline (scripts/structure.js)`);
    for (const dep of graph.get(f)) {
      const to = stageOf(srcDir, dep);
      if (from.stage >= 0 && to.stage > from.stage) findings.push(`upward import: ${rel(f)} (${from.name}) -> ${rel(dep)} (${to.name})`);
    }
  }
  for (const cycle of cycles(graph)) findings.push(`import cycle: ${cycle.map(rel).join(' -> ')}`);
  let ts;
  try {
    ts = require('typescript');
  } catch {
    findings.push('typescript is not installed: function lengths not checked (npm ci)');
  }
  for (const f of files) {
    const lines = fs.readFileSync(f, 'utf8').split('\n').length;
    if (lines > MAX_FILE_LINES) findings.push(`${rel(f)}: ${lines} lines (budget ${MAX_FILE_LINES})`);
    if (ts) for (const fn of longFunctions(f, ts)) findings.push(`${rel(f)}:${fn.start}: function ${fn.name} is ${fn.lines} lines (budget ${MAX_FUNCTION_LINES})`);
  }
  return findings;
}

module.exports = { analyse, STAGES, MAX_FILE_LINES, MAX_FUNCTION_LINES };

if (require.main === module) {
  const findings = analyse(path.resolve(__dirname, '..'));
  for (const line of findings) console.log(line);
  process.exit(findings.length > 0 ? 1 : 0);
}
