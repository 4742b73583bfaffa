/**
 * Talks to the executor's supervisor process: starts it (it isolates itself in a private mount
 * namespace on a private tmpfs and creates the exec targets), then runs sequences through it,
 * several in flight, each answered by the JSON lines its forked child wrote.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeSequence } from './ops.mjs';

/** A file spec for the executor's command line: "dir:idx:uid:gid:mode:xattrhex". */
function fileSpec(f) {
  return `${f.raw ? 'r' : f.nosuid ? 'n' : 's'}:${f.index}:${f.uid}:${f.gid}:${f.mode.toString(8)}:${f.xattr ?? ''}`;
}

/** Base dirs of supervisors still running, removed if this process is interrupted. */
const live = new Set();
let cleanupInstalled = false;
function installCleanup() {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  const cleanup = () => {
    for (const sup of live) {
      sup.child.kill('SIGKILL');
      rmSync(sup.base, { recursive: true, force: true });
    }
  };
  process.once('exit', cleanup);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      cleanup();
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    });
  }
}

export class Supervisor {
  /**
   * @param {string} executor compiled executor path
   * @param {Array<{nosuid:boolean,index:number,uid:number,gid:number,mode:number,xattr?:string}>} files
   */
  static async start(executor, files) {
    const base = mkdtempSync(join(tmpdir(), 'linux-caps-diff-'));
    const child = spawn(executor, ['supervise', base, ...files.map(fileSpec)], { stdio: ['pipe', 'pipe', 'pipe'] });
    const sup = new Supervisor(child, base);
    installCleanup();
    live.add(sup);
    await sup.ready;
    return sup;
  }

  constructor(child, base) {
    this.child = child;
    this.base = base;
    this.files = [];
    this.initial = undefined;
    this.pending = [];
    this.current = [];
    this.stderr = '';
    this.failed = undefined;
    let rest = '';
    let readyResolve, readyReject;
    this.ready = new Promise((res, rej) => { readyResolve = res; readyReject = rej; });
    let started = false;
    child.stderr.on('data', (d) => { this.stderr += d; });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop();
      for (const line of lines) {
        if (!line) continue;
        let msg;
        try {
          msg = JSON.parse(line);
        } catch {
          this.fail(new Error(`executor wrote a line that is not JSON: ${line}`));
          continue;
        }
        if (!started) {
          if (msg.k === 'file') this.files.push(msg);
          else if (msg.k === 's') this.initial = msg;
          else if (msg.k === 'ready') { started = true; readyResolve(); }
          continue;
        }
        if (msg.k === 'end') {
          const lines = this.current;
          this.current = [];
          const waiter = this.pending.shift();
          if (waiter) waiter.resolve({ lines, status: msg.status });
        } else {
          this.current.push(msg);
        }
      }
    });
    child.on('error', (e) => { this.fail(e); readyReject(e); });
    child.on('exit', (code, signal) => {
      const e = new Error(`executor supervisor exited (${signal ?? code}): ${this.stderr.trim()}`);
      this.exited = true;
      if (!started) readyReject(e);
      if (this.pending.length) this.fail(e);
    });
    child.stdin.on('error', (e) => this.fail(e));
  }

  fail(error) {
    this.failed ??= error;
    for (const w of this.pending.splice(0)) w.reject(this.failed);
  }

  /** Runs one sequence; resolves with the JSON lines its child wrote and its wait status. */
  run(ops) {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.child.stdin.write(encodeSequence(ops));
    });
  }

  /** Ends the supervisor (its mount namespace and tmpfs go with it) and removes the empty base dir. */
  async stop() {
    live.delete(this);
    if (!this.exited) {
      const done = new Promise((res) => this.child.once('exit', res));
      this.child.stdin.end();
      await done;
    }
    rmSync(this.base, { recursive: true, force: true });
  }
}
