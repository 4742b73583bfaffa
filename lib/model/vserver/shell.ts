/**
 * How util-vserver's start script turns a config file into arguments (kernel-semantics §4.8):
 * `while read v; do case x"$v" in (x|x\#*) ;; (*) eval "ARGS=( \"\${ARGS[@]}\" --bcap \"$v\" )";; esac; done <file`.
 * So each line goes through bash `read` (no -r) and then through double-quote expansion in
 * `eval`. Pure re-implementation; the tests compare it with a real bash.
 */
import { CapsError } from '../../vocabulary/errors.js';
import { EINVAL } from '../../vocabulary/abi.js';

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

const blank = (x: { c: string; escaped: boolean }): boolean => IFS_WHITESPACE.has(x.c);
const plainBlank = (x: { c: string; escaped: boolean }): boolean => !x.escaped && blank(x);

/**
 * What `read v` assigns from one line's characters (bash 5): leading unescaped blanks go; if
 * the rest is one word (no unescaped blank followed by more text) it is the value, escaped
 * trailing blanks included; otherwise the rest minus every trailing blank, escaped or not
 * (bash's strip_trailing_ifs_whitespace with saw_escape) — so `a\ ` reads as `a ` but
 * `a b\ ` as `a b`.
 */
function trimLikeRead(chars: { c: string; escaped: boolean }[]): string {
  let a = 0;
  while (a < chars.length && plainBlank(chars[a]!)) a++;
  let k = a;
  while (k < chars.length && !plainBlank(chars[k]!)) k++;
  let j = k;
  while (j < chars.length && plainBlank(chars[j]!)) j++;
  let b: number;
  if (j === chars.length) b = k;
  else {
    b = chars.length;
    while (b > a + 1 && blank(chars[b - 1]!)) b--;
  }
  return chars.slice(a, b).map((x) => x.c).join('');
}

/**
 * Splits file text the way `while read v` consumes it: a backslash escapes the next character
 * (backslash-newline joins lines), blanks are trimmed as bash does (see trimLikeRead), NUL
 * bytes are dropped (an escaped one is refused: bash leaks an internal byte there), and a last line without a newline is read but never reaches the loop body
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
        if (next === '\0') {
          throw new CapsError({
            code: 'ERR_CAPS_VSERVER_CONFIG',
            errno: -EINVAL,
            offset: i - 2,
            message: `line ${physical}: a backslash-escaped NUL byte, for which bash 5 leaks its internal quoting byte (0x01) into the value; the model refuses to guess`,
            reason: 'util-vserver reads config lines with bash `read` (util-vserver scripts/vserver.start)',
            rule: 'kernel-semantics §4.8',
          });
        }
        chars.push({ c: next, escaped: true });
        continue;
      }
      chars.push({ c, escaped: false });
      i++;
    }
    const value = trimLikeRead(chars);
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
    const trailingBackslash = c === '\\' && next === undefined;
    if (trailingBackslash || c === '`' || c === '"' || (c === '$' && next !== undefined && /[A-Za-z0-9_{(@*#?$!-]/.test(next))) {
      throw new CapsError({
        code: 'ERR_CAPS_VSERVER_CONFIG',
        errno: -EINVAL,
        offset: i,
        path: file,
        message: trailingBackslash
          ? `${file} line ${line}: ${JSON.stringify(value)} ends in a backslash, which escapes the closing quote in util-vserver's eval: the eval fails and the line is dropped with a shell error`
          : `${file} line ${line}: ${JSON.stringify(value)} contains ${c === '$' ? `'$${next}'` : `'${c}'`}, which util-vserver's eval would expand or split; the model refuses to guess the result`,
        reason: 'util-vserver passes every line through eval "… \\"$line\\" …" (util-vserver scripts/vserver.start)',
        rule: 'kernel-semantics §4.8',
      });
    }
    out += c;
  }
  return out;
}
