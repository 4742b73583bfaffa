/**
 * How util-vserver's start script turns a config file into arguments (kernel-semantics §4.8):
 * `while read v; do case x"$v" in (x|x\#*) ;; (*) eval "ARGS=( \"\${ARGS[@]}\" --bcap \"$v\" )";; esac; done <file`.
 * So each line goes through bash `read` (no -r) and then through double-quote expansion in
 * `eval`. Pure re-implementation; the tests compare it with a real bash.
 */
import { CapsError } from '../errors.js';

/** One logical line as `read` produced it. */
export interface ShellLine {
  /** 1-based number of the physical line the logical line starts on. */
  readonly line: number;
  /** The value `read` assigned (blanks trimmed, backslashes interpreted). */
  readonly value: string;
  /** Why the loop did not pass it on; undefined when it became an argument. */
  readonly skipped?: 'empty' | 'comment' | 'no-newline';
}

const IFS_WHITESPACE = new Set([' ', '\t', '\n']);

/**
 * Splits file text the way `while read v` consumes it: a backslash escapes the next character
 * (backslash-newline joins lines), unescaped leading/trailing spaces and tabs are trimmed, NUL
 * bytes are dropped, and a last line without a newline is read but never reaches the loop body
 * (`read` returns 1 at end of file). Lines that are empty or start with `#` are marked skipped.
 */
export function readLines(text: string): ShellLine[] {
  const out: ShellLine[] = [];
  let physical = 1;
  let i = 0;
  while (i < text.length) {
    const start = physical;
    const chars: { c: string; escaped: boolean }[] = [];
    let terminated = false;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '\n') { i++; physical++; terminated = true; break; }
      if (c === '\0') { i++; continue; }
      if (c === '\\') {
        const next = text[i + 1];
        if (next === undefined) { i++; break; }
        i += 2;
        if (next === '\n') { physical++; continue; }
        if (next === '\0') continue;
        chars.push({ c: next, escaped: true });
        continue;
      }
      chars.push({ c, escaped: false });
      i++;
    }
    let a = 0;
    let b = chars.length;
    while (a < b && !chars[a]!.escaped && IFS_WHITESPACE.has(chars[a]!.c)) a++;
    while (b > a && !chars[b - 1]!.escaped && IFS_WHITESPACE.has(chars[b - 1]!.c)) b--;
    const value = chars.slice(a, b).map((x) => x.c).join('');
    const skipped = !terminated ? 'no-newline' : value === '' ? 'empty' : value.startsWith('#') ? 'comment' : undefined;
    out.push(skipped ? { line: start, value, skipped } : { line: start, value });
  }
  return out;
}

/**
 * The word `"$v"` becomes inside `eval "… \"$v\" …"`: the value is re-read inside double
 * quotes, so `\$ \` \" \\` lose their backslash; other backslashes stay. A value that the
 * shell would expand or split (`$NAME`, `$(…)`, backticks, a bare `"`) is refused with a
 * CapsError naming the line: the model does not guess the start script's environment.
 */
export function evalDoubleQuoted(value: string, line: number, file: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    const next = value[i + 1];
    if (c === '\\' && next !== undefined && '$`"\\'.includes(next)) { out += next; i++; continue; }
    if (c === '`' || c === '"' || (c === '$' && next !== undefined && /[A-Za-z0-9_{(@*#?$!-]/.test(next))) {
      throw new CapsError({
        code: 'ERR_CAPS_VSERVER_CONFIG',
        errno: -22,
        offset: i,
        path: file,
        message: `${file} line ${line}: ${JSON.stringify(value)} contains ${c === '$' ? `'$${next}'` : `'${c}'`}, which util-vserver's eval would expand or split; the model refuses to guess the result`,
        reason: 'util-vserver passes every line through eval "… \\"$line\\" …" (kernel-semantics §4.8)',
        rule: 'kernel-semantics §4.8',
      });
    }
    out += c;
  }
  return out;
}
