/**
 * fileCaps on the real kernel, checked with libcap's own tools: what fileCaps.set writes,
 * getcap reads back with identical text (and getcap -n with the rootid); what setcap writes,
 * fileCaps.get reads with identical text; setcap and fileCaps accept and refuse the same
 * texts and write the same bytes. Plus path/fd forms and every refusal (symlink, no xattr
 * support, nothing to remove, no CAP_SETFCAP in a child that dropped it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, symlinkSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  fileCaps, formatCaps, CapSet, CapsError, lastCap,
} from '../../lib/index.js';
import { missing, hasCommand } from '../helpers/env.js';
import { getcapBatch, getfattrBatch, oracles, prng, randomMask, scratchDir, setcapBatch } from './helpers.js';

const skip = missing(oracles);
const toHex = (b: Uint8Array | null | undefined): string | undefined => (b ? Buffer.from(b).toString('hex') : undefined);

function caught(fn: () => unknown): CapsError {
  try { fn(); } catch (err) { if (err instanceof CapsError) return err; throw err; }
  throw new Error('expected a CapsError');
}

describe.skipIf(skip)('fileCaps against getcap/setcap on a real filesystem', () => {
  const scratch = skip ? (undefined as never) : scratchDir();
  afterAll(() => scratch?.dispose());
  const last = lastCap();

  it('set → getcap prints the identical text (300 random triples, v2 and v3 via getcap -n)', () => {
    const seed = 0x5eed0101;
    console.log(`[filecaps] set→getcap seed ${seed}`);
    const rand = prng(seed);
    const jobs: Array<{ path: string; text: string; rootid?: number }> = [];
    for (let n = 0; n < 300; n++) {
      const top = n % 6 === 5 ? 63 : last;
      const permitted = CapSet.fromMask(randomMask(rand, top));
      const inheritable = CapSet.fromMask(randomMask(rand, top));
      const effective = rand() < 0.5;
      const rootid = n % 3 === 2 ? 1 + Math.floor(rand() * 0x7ffffffe) : undefined;
      const path = scratch.file(`set${n}`);
      // Alternate the two input forms: setcap text (through formatCaps) and an object.
      const text = formatCaps({ effective: effective ? permitted.union(inheritable) : CapSet.EMPTY, permitted, inheritable });
      const result = n % 2 === 0
        ? fileCaps.set(path, text, rootid === undefined ? {} : { rootid })
        : fileCaps.set(path, { permitted, inheritable, effective }, rootid === undefined ? {} : { rootid });
      expect(result.version).toBe(rootid === undefined ? 2 : 3);
      expect(result.rootid).toBe(rootid);
      jobs.push({ path, text: result.text, ...(rootid === undefined ? {} : { rootid }) });
    }
    const shown = getcapBatch(jobs.map((j) => j.path), { rootid: true });
    for (const j of jobs) {
      expect(shown.get(j.path), `seed ${seed} ${j.path}`).toBe(j.rootid === undefined ? j.text : `${j.text} [rootid=${j.rootid}]`);
    }
    // getcap without -n prints the same text for v3 files, without the rootid.
    const plain = getcapBatch(jobs.map((j) => j.path));
    for (const j of jobs) expect(plain.get(j.path)).toBe(j.text);
  });

  it('setcap → fileCaps.get reads the identical text, sets and rootid (200 random texts)', () => {
    const seed = 0x5eed0102;
    const rand = prng(seed);
    const jobs: Array<{ path: string; text: string; rootid?: number }> = [];
    for (let n = 0; n < 200; n++) {
      const permitted = CapSet.fromMask(randomMask(rand, last));
      const inheritable = CapSet.fromMask(randomMask(rand, last));
      const e = rand() < 0.5 ? permitted.union(inheritable) : CapSet.EMPTY;
      const rootid = n % 4 === 1 ? 1 + Math.floor(rand() * 65535) : undefined;
      jobs.push({ path: scratch.file(`setcap${n}`), text: formatCaps({ effective: e, permitted, inheritable }), ...(rootid === undefined ? {} : { rootid }) });
    }
    setcapBatch(jobs);
    const shown = getcapBatch(jobs.map((j) => j.path), { rootid: true });
    for (const j of jobs) {
      const got = fileCaps.get(j.path);
      expect(got, j.path).not.toBeNull();
      const line = got!.rootid === undefined ? got!.text : `${got!.text} [rootid=${got!.rootid}]`;
      expect(line, `seed ${seed} setcap '${j.text}'`).toBe(shown.get(j.path));
      expect(got!.rootid).toBe(j.rootid);
    }
  });

  it('accepts and refuses exactly the texts setcap does, and writes the same bytes (E all-or-nothing rule)', () => {
    const seed = 0x5eed0103;
    const rand = prng(seed);
    let accepted = 0;
    let refused = 0;
    for (let n = 0; n < 120; n++) {
      const permitted = CapSet.fromMask(randomMask(rand, 12));
      const inheritable = CapSet.fromMask(randomMask(rand, 12));
      const pick = n % 4;
      // E: empty, exactly P ∪ I, a superset (libcap accepts), or a random set (usually refused).
      const effective = pick === 0 ? CapSet.EMPTY
        : pick === 1 ? permitted.union(inheritable)
          : pick === 2 ? permitted.union(inheritable).union([20])
            : CapSet.fromMask(randomMask(rand, 12));
      const text = formatCaps({ effective, permitted, inheritable });
      const theirs = scratch.file(`theirs${n}`);
      const ours = scratch.file(`ours${n}`);
      const setcap = spawnSync('setcap', [text, theirs], { encoding: 'utf8' });
      let ourError: CapsError | undefined;
      try { fileCaps.set(ours, text); } catch (err) { ourError = err as CapsError; }
      expect(ourError === undefined, `setcap '${text}' exit ${setcap.status}; ours: ${ourError?.message}`).toBe(setcap.status === 0);
      if (ourError) {
        expect(ourError.code).toBe('ERR_CAPS_INVALID_ARG');
        expect(ourError.message).toMatch(/all or nothing/);
        refused++;
      } else {
        const raw = getfattrBatch([theirs, ours]);
        expect(toHex(raw.get(ours)), text).toBe(toHex(raw.get(theirs)));
        accepted++;
      }
    }
    console.log(`[filecaps] setcap accepted ${accepted}, refused ${refused} (ours identical)`);
    expect(accepted).toBeGreaterThan(30);
    expect(refused).toBeGreaterThan(10);
  });

  it("'=' writes an empty v2 xattr (getcap prints '='), which is not the same as none", () => {
    const f = scratch.file('empty');
    expect(fileCaps.get(f)).toBeNull();
    const r = fileCaps.set(f, '=');
    expect(r).toEqual({ version: 2, effective: false, permitted: CapSet.EMPTY, inheritable: CapSet.EMPTY, text: '=' });
    expect(getcapBatch([f]).get(f)).toBe('=');
    expect(toHex(getfattrBatch([f]).get(f))).toBe('0000000200000000000000000000000000000000');
  });

  it('works on an fd (fgetxattr/fsetxattr/fremovexattr), also a read-only one', () => {
    const f = scratch.file('byfd');
    const fd = openSync(f, 'r');
    try {
      expect(fileCaps.get(fd)).toBeNull();
      expect(fileCaps.set(fd, 'cap_net_bind_service=ep').text).toBe('cap_net_bind_service=ep');
      expect(getcapBatch([f]).get(f)).toBe('cap_net_bind_service=ep');
      expect(fileCaps.get(fd)?.permitted.has('cap_net_bind_service')).toBe(true);
      fileCaps.remove(fd);
      expect(getcapBatch([f]).get(f)).toBeNull();
      const e = caught(() => fileCaps.remove(fd));
      expect({ code: e.code, errno: e.errno, syscall: e.syscall }).toEqual({ code: 'ENODATA', errno: -61, syscall: 'fremovexattr' });
    } finally {
      closeSync(fd);
    }
    const bad = caught(() => fileCaps.get(fd));
    expect({ code: bad.code, syscall: bad.syscall, message: bad.message }).toMatchObject({ code: 'EBADF', syscall: 'fgetxattr', message: expect.stringContaining(`fd ${fd}`) });
  });

  it('takes a file: URL as a path', () => {
    const f = scratch.file('byurl');
    fileCaps.set(pathToFileURL(f), 'cap_kill=p');
    expect(fileCaps.get(pathToFileURL(f))?.text).toBe('cap_kill=p');
  });

  it('remove of a file without caps: ENODATA, "has no capability to remove"', () => {
    const f = scratch.file('nocaps');
    const e = caught(() => fileCaps.remove(f));
    expect({ code: e.code, errno: e.errno, syscall: e.syscall, path: e.path }).toEqual({ code: 'ENODATA', errno: -61, syscall: 'lremovexattr', path: f });
    expect(e.message).toMatch(/has no capability to remove/);
    // setcap says the same (with its own spelling) and fails too.
    const r = spawnSync('setcap', ['-r', f], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/has no capa\w* to remove/);
  });

  it('refuses symlinks for get, set and remove ("Invalid file", like setcap), leaving the target alone', () => {
    const target = scratch.file('target');
    fileCaps.set(target, 'cap_chown=p');
    const link = `${scratch.dir}/link`;
    symlinkSync(target, link);
    for (const [verb, fn] of [
      ['lgetxattr', () => fileCaps.get(link)],
      ['lsetxattr', () => fileCaps.set(link, 'cap_kill=ep')],
      ['lremovexattr', () => fileCaps.remove(link)],
    ] as const) {
      const e = caught(fn);
      expect({ code: e.code, errno: e.errno, syscall: e.syscall, path: e.path }).toEqual({ code: 'ELOOP', errno: -40, syscall: verb, path: link });
      expect(e.message).toMatch(/Invalid file: a symbolic link/);
    }
    expect(getcapBatch([target]).get(target)).toBe('cap_chown=p');
    expect(spawnSync('setcap', ['cap_kill=ep', link], { encoding: 'utf8' }).stderr).toMatch(/Invalid file/);
  });

  // Issue 22 (7): no symbolic link anywhere on the path — a directory component or a trailing
  // slash after a link — not only the last component.
  it('refuses a symlinked directory on the way, and a trailing slash after a link (ELOOP), leaving the real file alone', () => {
    const dir = `${scratch.dir}/realdir`;
    mkdirSync(dir);
    const inner = `${dir}/t`;
    writeFileSync(inner, '');
    symlinkSync(dir, `${scratch.dir}/linkdir`);
    for (const path of [`${scratch.dir}/linkdir/t`, `${scratch.dir}/linkdir/`]) {
      for (const fn of [() => fileCaps.get(path), () => fileCaps.set(path, 'cap_kill=ep'), () => fileCaps.remove(path)]) {
        expect(caught(fn).code).toBe('ELOOP');
      }
    }
    expect(getcapBatch([inner]).get(inner) ?? null).toBeNull();
    expect(fileCaps.get(dir)).toBeNull();
    fileCaps.set(inner, 'cap_kill=ep'); // the same file by its real path works
    expect(getcapBatch([inner]).get(inner)).toBe('cap_kill=ep');
    fileCaps.remove(inner);
  });

  it('a filesystem without security xattrs (/proc): EOPNOTSUPP with the reason', () => {
    for (const [verb, fn] of [
      ['lgetxattr', () => fileCaps.get(`/proc/${process.pid}/status`)],
      ['lsetxattr', () => fileCaps.set(`/proc/${process.pid}/status`, 'cap_chown=p')],
    ] as const) {
      const e = caught(fn);
      expect({ code: e.code, errno: e.errno, syscall: e.syscall, path: e.path }).toEqual({ code: 'EOPNOTSUPP', errno: -95, syscall: verb, path: `/proc/${process.pid}/status` });
      expect(e.reason).toMatch(/does not support security\.\* extended attributes/);
    }
  });

  it('a rootid the writer cannot map is refused by the kernel (EINVAL, says why)', () => {
    const f = scratch.file('rootid-bad');
    const e = caught(() => fileCaps.set(f, 'cap_chown=p', { rootid: 4294967295 }));
    expect({ code: e.code, syscall: e.syscall }).toEqual({ code: 'EINVAL', syscall: 'lsetxattr' });
    expect(e.reason).toMatch(/rootid 4294967295/);
    // setcap -n refuses the same value.
    expect(spawnSync('setcap', ['-n', '4294967295', 'cap_chown=p', f]).status).not.toBe(0);
  });

  it('getcap -n prints a rootid above 2^31 as a signed int; fileCaps keeps the uid', () => {
    const f = scratch.file('rootid-high');
    expect(fileCaps.set(f, 'cap_chown=p', { rootid: 4294967294 }).rootid).toBe(4294967294);
    expect(getcapBatch([f], { rootid: true }).get(f)).toBe('cap_chown=p [rootid=-2]');
  });

  it('bad input is refused before the file is touched', () => {
    const f = scratch.file('untouched');
    fileCaps.set(f, 'cap_chown=p');
    const attempts: Array<[() => unknown, RegExp]> = [
      [() => fileCaps.set(f, 'cap_nonesuch=p'), /capability name/],
      [() => fileCaps.set(f, 'cap_chown=ep cap_kill=p'), /all or nothing/],
      [() => fileCaps.set(f, { permitted: ['cap_kill'], effective: ['cap_chown'] }), /missing from E: cap_kill/],
      [() => fileCaps.set(f, 'cap_kill=p', { rootid: -1 }), /rootid/],
      [() => fileCaps.set(f, 42 as unknown as string), /file capabilities/],
      [() => fileCaps.set('', 'cap_kill=p'), /invalid file/],
      [() => fileCaps.set('a\0b', 'cap_kill=p'), /invalid file/],
      [() => fileCaps.get(-1), /file descriptor/],
      [() => fileCaps.get(1.5), /file descriptor/],
    ];
    for (const [fn, message] of attempts) expect(caught(fn).message).toMatch(message);
    expect(getcapBatch([f]).get(f)).toBe('cap_chown=p');
  });
});

const skipChild = skip ?? missing({ 'capsh (apt libcap2-bin)': hasCommand('capsh') });

describe.skipIf(skipChild)('fileCaps without CAP_SETFCAP (child process)', () => {
  const scratch = skipChild ? (undefined as never) : scratchDir();
  afterAll(() => scratch?.dispose());

  it('EPERM with the reason, in a child that dropped cap_setfcap (capsh --drop)', () => {
    const f = scratch.file('eperm');
    fileCaps.set(f, 'cap_chown=p');
    const dist = new URL('../../dist/index.js', import.meta.url).href;
    const script = `
      import { fileCaps } from ${JSON.stringify(dist)};
      const out = {};
      for (const [name, fn] of [['set', () => fileCaps.set(process.argv[1], 'cap_kill=p')], ['remove', () => fileCaps.remove(process.argv[1])], ['get', () => fileCaps.get(process.argv[1]).text]]) {
        try { out[name] = { ok: fn() ?? null }; } catch (e) { out[name] = { code: e.code, errno: e.errno, syscall: e.syscall, path: e.path, reason: e.reason }; }
      }
      console.log(JSON.stringify(out));`;
    const stdout = execFileSync('capsh', ['--drop=cap_setfcap', '--', '-c', `exec "$0" --input-type=module -e "$1" "$2"`, process.execPath, script, f], { encoding: 'utf8' });
    const out = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, Record<string, unknown>>;
    for (const [verb, syscall] of [['set', 'lsetxattr'], ['remove', 'lremovexattr']] as const) {
      expect(out[verb]).toMatchObject({ code: 'EPERM', errno: -1, syscall, path: f });
      expect(out[verb]!.reason).toMatch(/needs CAP_SETFCAP.*cap_setfcap is not in this thread's effective set/);
    }
    expect(out.get).toEqual({ ok: 'cap_chown=p' }); // reading needs no capability
    expect(getcapBatch([f]).get(f)).toBe('cap_chown=p');
  });
});
