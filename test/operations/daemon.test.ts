/**
 * The README's example daemon, run as written: as root, on a random privileged port. Every
 * thread must end as nobody with nothing beyond cap_net_bind_service, and a root-only file must
 * be out of reach from the threadpool (fs.readFile).
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, chmodSync, readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  parseStatus,
} from '../../lib/index.js';
import { isLinux, isRoot, missing } from '../helpers/env.js';

const skip = !isLinux ? 'needs Linux' : missing({ root: isRoot });
const daemon = new URL('../../examples/daemon.mjs', import.meta.url).pathname;

function get(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d) => { body += d; }).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject).end();
  });
}

describe.skipIf(skip)('examples/daemon.mjs', () => {
  it('binds a privileged port as nobody, every thread holding only cap_net_bind_service', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'linux-caps-daemon-'));
    const secret = join(dir, 'secret');
    writeFileSync(secret, 'root only\n');
    chmodSync(secret, 0o600);
    const port = 600 + Math.floor(Math.random() * 400);
    const child = spawn(process.execPath, [daemon], { env: { ...process.env, PORT: String(port), SECRET_FILE: secret }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.setEncoding('utf8').on('data', (d: string) => {
          out += d;
          if (out.includes(`listening ${port}`) && out.includes('secret:')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`daemon exited ${code}: ${out}`)));
      });
      const res = await get(port);
      expect(res.status).toBe(200);
      expect(res.body.length).toBeGreaterThan(0);
      expect(out).toContain('secret: EACCES');
      // It prints the state it verified on every thread (the README's one command from a clone).
      const verified = out.split('\n').filter((l) => /^  thread \d+: /.test(l));
      expect(out).toMatch(/^dropped to uid 65534 on \d+ threads, each verified from \/proc:$/m);
      expect(verified.length).toBe(Number(/on (\d+) threads/.exec(out)![1]));
      for (const l of verified) expect(l).toMatch(/: uid 65534 gid 65534 "cap_net_bind_service=ep" bounding cap_net_bind_service ambient \(none\) securebits 0xef no_new_privs 1$/);

      const tids = readdirSync(`/proc/${child.pid}/task`);
      expect(tids.length).toBeGreaterThan(5);
      for (const tid of tids) {
        const s = parseStatus(readFileSync(`/proc/${child.pid}/task/${tid}/status`, 'utf8'));
        expect([s.uid.real, s.uid.effective, s.uid.saved, s.uid.fs]).toEqual([65534, 65534, 65534, 65534]);
        expect([s.gid.real, s.gid.effective, s.gid.saved, s.gid.fs]).toEqual([65534, 65534, 65534, 65534]);
        for (const set of [s.effective, s.permitted, s.inheritable, s.bounding, s.ambient]) {
          expect(set.isSubsetOf(['cap_net_bind_service'])).toBe(true);
        }
        expect(s.permitted.toString()).toBe('cap_net_bind_service');
        expect(s.noNewPrivs).toBe(true);
      }
    } finally {
      child.kill('SIGKILL');
    }
  });
});
