#!/usr/bin/env node
// Reads one target of binding.gyp and prints a field as a CMake list (`a;b;c`), so that
// CMakeLists.txt builds exactly what node-gyp builds: binding.gyp stays the one source list.
//
//   node scripts/gyp-target.mjs <field> [target]     field: sources | defines | cflags_cc | include_dirs
//
// Command expansions are run as gyp runs them (in the package root): `<!(cmd)` becomes the
// command's output, `<!@(cmd)` its whitespace-separated words.
// binding.gyp is a Python literal, not JSON: comments (#), single quotes and trailing commas
// are allowed, so it is normalised before JSON.parse. `conditions` entries whose expression
// holds for OS=="linux" are merged in, as gyp would on Linux. Exit 1 with a reason otherwise.
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Parses gyp's Python-literal syntax (the subset gyp files use) into plain JS values. */
export function parseGyp(text) {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '"' || c === "'") {
      let s = '';
      for (i++; i < text.length && text[i] !== c; i++) {
        if (text[i] === '\\') { s += text[i] + text[i + 1]; i++; } else s += text[i];
      }
      // Re-quote as a JSON string (single-quoted Python strings may hold bare double quotes).
      out += JSON.stringify(JSON.parse(`"${s.replace(/\\'/g, "'").replace(/(?<!\\)"/g, '\\"')}"`));
    } else out += c;
  }
  out = out.replace(/,(\s*[\]}])/g, '$1').replace(/\bTrue\b/g, 'true').replace(/\bFalse\b/g, 'false');
  return JSON.parse(out);
}

/** Evaluates a gyp condition such as `OS=="linux"` or `OS!="win"` for a Linux build. */
function conditionHolds(expr) {
  const vars = { OS: 'linux', target_arch: process.arch === 'x64' ? 'x64' : process.arch };
  const js = expr.replace(/\band\b/g, '&&').replace(/\bor\b/g, '||').replace(/\bnot\b/g, '!');
  return Boolean(new Function(...Object.keys(vars), `return (${js});`)(...Object.values(vars)));
}

/** The target's fields with its Linux conditions merged in (lists are appended, as gyp does). */
export function resolveTarget(gyp, name) {
  const target = name ? gyp.targets.find((t) => t.target_name === name) : gyp.targets[0];
  if (!target) throw new Error(`binding.gyp has no target ${name ?? '(none at all)'}`);
  const merged = { ...target };
  for (const cond of target.conditions ?? []) {
    const [expr, then, otherwise] = cond;
    const branch = conditionHolds(expr) ? then : otherwise;
    for (const [key, value] of Object.entries(branch ?? {})) {
      merged[key] = Array.isArray(value) ? [...(merged[key] ?? []), ...value] : value;
    }
  }
  return merged;
}

/** Expands gyp's `<!(cmd)` and `<!@(cmd)` entries of a list by running the commands. */
export function expandCommands(list) {
  return list.flatMap((entry) => {
    const m = /^<!(@?)\((.*)\)$/s.exec(entry);
    if (!m) return [entry];
    const output = execSync(m[2], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
    return m[1] ? output.split(/\s+/).filter(Boolean) : [output];
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [field, name] = process.argv.slice(2);
  if (!field) {
    console.error('usage: gyp-target.mjs <sources|defines|cflags_cc> [target]');
    process.exit(2);
  }
  try {
    const target = resolveTarget(parseGyp(readFileSync(join(root, 'binding.gyp'), 'utf8')), name);
    const raw = target[field] ?? [];
    const value = Array.isArray(raw) ? expandCommands(raw) : raw;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.includes(';'))) {
      throw new Error(`binding.gyp: ${field} is not a list of plain strings`);
    }
    process.stdout.write(value.join(';'));
  } catch (err) {
    console.error(`gyp-target.mjs: ${err.message}`);
    process.exit(1);
  }
}
