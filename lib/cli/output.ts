/**
 * How the CLI writes: with writeSync, so that running a command does not build process.stdout.
 * The stream Node builds over a pipe or a terminal loads node:net and the stream machinery,
 * milliseconds of a command that itself takes a few (issue 14: start-up).
 *
 * - A non-blocking pipe that is full (EAGAIN) hands the rest to the stream, which queues it
 *   until the reader drains the pipe; every later write to that fd goes the same way, in order.
 * - A closed stdout (EPIPE: `linux-caps ps | head -1`) ends the process quietly with the exit
 *   status so far, as Unix tools do; a closed stderr drops the message.
 */
import { writeSync } from 'node:fs';

type Fd = 1 | 2;

const streamed = new Set<Fd>();

function streamOf(fd: Fd): NodeJS.WriteStream {
  return fd === 1 ? process.stdout : process.stderr;
}

function endQuietly(fd: Fd): void {
  if (fd === 1) process.exit(process.exitCode ?? 0);
}

function handOver(fd: Fd, rest: Uint8Array): void {
  const stream = streamOf(fd);
  if (!streamed.has(fd)) {
    streamed.add(fd);
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') return endQuietly(fd);
      throw err;
    });
  }
  stream.write(rest);
}

/** Writes all of `text` to stdout (1) or stderr (2). */
export function writeText(fd: Fd, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  if (streamed.has(fd)) return handOver(fd, bytes);
  let at = 0;
  while (at < bytes.length) {
    try {
      at += writeSync(fd, bytes, at);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') return handOver(fd, bytes.subarray(at));
      if (code === 'EPIPE') return endQuietly(fd);
      throw err;
    }
  }
}
