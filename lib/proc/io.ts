/**
 * The /proc readers are written once, as generators that ask for each filesystem read
 * (`yield`), and run by one of two drivers: `runSync` (fs *Sync calls, for this process, whose
 * per-thread files must be read on the calling thread, node-engineering §0.7 E7) and `runAsync`
 * (fs/promises, for other processes: a long listing does not block the event loop).
 */
import { readdirSync, readFileSync, readlinkSync, statfsSync } from 'node:fs';

/** One read a /proc reader asks for. */
export type ProcRead =
  | { kind: 'text'; path: string }
  | { kind: 'list'; path: string }
  | { kind: 'link'; path: string }
  | { kind: 'fsType'; path: string };

/** A /proc reader: yields reads, gets each one's result (or has its error thrown in), returns T. */
export type Reader<T> = Generator<ProcRead, T, unknown>;

function performSync(read: ProcRead): unknown {
  switch (read.kind) {
    case 'text': return readFileSync(read.path, 'utf8');
    case 'list': return readdirSync(read.path);
    case 'link': return readlinkSync(read.path);
    case 'fsType': return Number(statfsSync(read.path).type);
  }
}

async function performAsync(read: ProcRead): Promise<unknown> {
  // Loaded on first use: importing the package does not load fs/promises (issue 14: start-up).
  const { readdir, readFile, readlink, statfs } = process.getBuiltinModule('node:fs/promises');
  switch (read.kind) {
    case 'text': return readFile(read.path, 'utf8');
    case 'list': return readdir(read.path);
    case 'link': return readlink(read.path);
    case 'fsType': return Number((await statfs(read.path)).type);
  }
}

/** Runs a reader with synchronous reads. */
export function runSync<T>(reader: Reader<T>): T {
  let step = reader.next();
  while (!step.done) {
    let result: unknown;
    try {
      result = performSync(step.value);
    } catch (err) {
      step = reader.throw(err);
      continue;
    }
    step = reader.next(result);
  }
  return step.value;
}

/** Runs a reader with asynchronous reads (the libuv threadpool). */
export async function runAsync<T>(reader: Reader<T>): Promise<T> {
  let step = reader.next();
  while (!step.done) {
    let result: unknown;
    try {
      result = await performAsync(step.value);
    } catch (err) {
      step = reader.throw(err);
      continue;
    }
    step = reader.next(result);
  }
  return step.value;
}

/** A file's text. */
export function* readText(path: string): Reader<string> {
  return (yield { kind: 'text', path }) as string;
}

/** A directory's entry names. */
export function* listDir(path: string): Reader<string[]> {
  return (yield { kind: 'list', path }) as string[];
}

/** A symbolic link's target. */
export function* readLink(path: string): Reader<string> {
  return (yield { kind: 'link', path }) as string;
}

/** The statfs(2) f_type of the filesystem holding `path`. */
export function* fsType(path: string): Reader<number> {
  return (yield { kind: 'fsType', path }) as number;
}
