/**
 * How the CLI writes (lib/cli/output.ts): synchronously, with nothing lost on a pipe that is
 * full and non-blocking, and quietly to the end on a pipe whose reader has gone. Spawned, as a
 * user runs it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { hasCommand, isLinux, missing } from '../helpers/env.js';

const cli = new URL('../../dist/cli.js', import.meta.url).pathname;
/** 300 masks of every capability: about 180 kB of output, more than twice a pipe's 64 kB. */
const MANY = Array.from({ length: 300 }, () => '0x1ffffffffff');
const skip = !isLinux ? 'needs Linux' : missing({ python3: hasCommand('python3') });

describe.skipIf(skip)('the CLI output', () => {
  const expected = spawnSync(process.execPath, [cli, 'decode', ...MANY], { encoding: 'utf8', maxBuffer: 1 << 24 });

  it('is the whole output on an ordinary pipe', () => {
    expect(expected.status).toBe(0);
    expect(expected.stdout.split('\n')).toHaveLength(MANY.length + 1);
    expect(expected.stdout.length).toBeGreaterThan(2 * 65536);
  });

  it('is the whole output, in order, on a non-blocking pipe that fills up (EAGAIN)', () => {
    // The reader waits until the writer has filled the pipe, then reads to the end.
    const reader = [
      'import os, subprocess, sys, time',
      'r, w = os.pipe()',
      'os.set_blocking(w, False)',
      'p = subprocess.Popen(sys.argv[1:], stdout=w, stderr=subprocess.PIPE)',
      'os.close(w)',
      'time.sleep(0.5)',
      'chunks = []',
      'while chunk := os.read(r, 65536): chunks.append(chunk)',
      'err = p.stderr.read()',
      'sys.stdout.buffer.write(b"".join(chunks))',
      'sys.stderr.buffer.write(err)',
      'sys.exit(p.wait())',
    ].join('\n');
    const r = spawnSync('python3', ['-c', reader, process.execPath, cli, 'decode', ...MANY], { encoding: 'utf8', maxBuffer: 1 << 24 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(expected.stdout);
  });

  it('ends quietly with status 0 when the reader closes the pipe (linux-caps decode … | head -1)', async () => {
    const child = spawn(process.execPath, [cli, 'decode', ...MANY], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const first = await new Promise<string>((done) => child.stdout.once('data', (c: Buffer) => done(c.toString())));
    child.stdout.destroy();
    const status = await new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    expect(first.startsWith('0x000001ffffffffff=cap_chown,')).toBe(true);
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
  });
});
