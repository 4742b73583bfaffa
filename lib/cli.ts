#!/usr/bin/env node
/**
 * The `linux-caps` command. `linux-caps help` lists the commands; exit status 0 on success,
 * 1 when the operation failed, 2 on a usage error (message on stderr).
 */
import { readFileSync } from 'node:fs';
import { describeError, exitCodeOf, stdio, UsageError, type Command, type Io } from './cli/common.js';
import { EXIT_CODES, USAGE, wantsHelp } from './cli/usage.js';
import { enableCompileCache } from './cli/compile-cache.js';

/**
 * A command whose module loads when it runs: `linux-caps print` does not load the model, nor
 * `explain` the addon's loader (issue 14: start-up).
 */
function onDemand<K extends string>(load: () => Promise<Record<K, Command>>, name: K): Command {
  return async (args, io) => (await load())[name](args, io);
}

const HELP = `usage: linux-caps COMMAND [options]

  print [--threads] [--json] [PID…]        the capability state, as capsh --print, and every thread
  decode [--json] HEX…                      a mask as names (capsh --decode)
  describe [--json] CAP…                    what a capability allows, in one line (capsh --explain)
  ps [-a] [--json]                          processes holding capabilities (pscap)
  file get [-n] [-r] [--json] PATH… | file set [-n ROOTID] [-v [-q]] TEXT PATH… | file rm PATH…
                                            file capabilities (getcap [-r] / setcap [-v] / setcap -r)
  exec [--user U] [--group G] [--groups a,b] [--iab TEXT] [--caps TEXT] [--inh a,b]
       [--addamb a,b] [--drop a,b] [--secbits N] [--nnp] [--cwd DIR] [--oci FILE] [--] COMMAND [ARGS…]
                                            become a command with an exact capability state
  has [--pid PID] [--set SET] CAP…          exit 0 if every CAP is held (capsh --has-p), else 1
  need [--json] [--user U] [--runs N] [--timeout S] [--budget S] [--expect-stdout RE] [--no-nnp] -- CMD ARGS…
                                            the minimal capabilities CMD succeeds with, found by running it
  profile --format F [--caps TEXT | --pid PID | --from FILE.json] [--user U] [--no-nnp]
                                            the state as systemd, docker, podman, compose, k8s, oci,
                                            an image label or capsh reads it
  explain [--from current|root] [--caps TEXT] [--uid U] [--json] STEP…
                                            the model's prediction, step by step, with the rules
      steps: caps=TEXT drop=a,b amb+=a amb-=a amb=clear secbits=N keepcaps=0|1 nnp
             setuid=N setresuid=R,E,S setgid=N setgroups=a,b userns exec=PATH
  vserver DIR [--era ERA] [--cap-bound N] [--json]
                                            a util-vserver guest's capabilities under each masking policy
  help [COMMAND]                            this text, or one command's usage (also COMMAND --help)
  --version                                 the version

${EXIT_CODES}
`;

export const commands: Record<string, Command> = {
  print: onDemand(() => import('./cli/print.js'), 'printCommand'),
  decode: onDemand(() => import('./cli/decode.js'), 'decodeCommand'),
  describe: onDemand(() => import('./cli/describe.js'), 'describeCommand'),
  ps: onDemand(() => import('./cli/ps.js'), 'psCommand'),
  file: onDemand(() => import('./cli/file.js'), 'fileCommand'),
  exec: onDemand(() => import('./cli/exec.js'), 'execCommand'),
  has: onDemand(() => import('./cli/has.js'), 'hasCommand'),
  profile: onDemand(() => import('./cli/profile.js'), 'profileCommand'),
  need: onDemand(() => import('./cli/need.js'), 'needCommand'),
  explain: onDemand(() => import('./cli/explain.js'), 'explainCommand'),
  vserver: onDemand(() => import('./cli/vserver.js'), 'vserverCommand'),
  help: (args, io) => {
    const [name] = args;
    if (name === undefined) { io.out(HELP); return 0; }
    if (name === '--help' || name === '-h') { io.out(`${USAGE.help}\n\n${EXIT_CODES}`); return 0; }
    const usage = USAGE[name];
    if (usage === undefined) throw new UsageError(`help: unknown command ${JSON.stringify(name)}; see linux-caps help`);
    io.out(`${usage}\n\n${EXIT_CODES}`);
    return 0;
  },
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return `linux-caps ${pkg.version}`;
}

/** Runs the CLI with argv (without node and the script) and returns the exit status. */
export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    io.err(HELP); // usage because of an error goes to stderr
    return 2;
  }
  if (name === '--help' || name === '-h') { io.out(HELP); return 0; }
  if (name === '--version' || name === '-V') { io.out(version()); return 0; }
  const command = commands[name];
  if (!command) {
    io.err(`linux-caps: unknown command ${JSON.stringify(name)}; see linux-caps help`);
    return 2;
  }
  // COMMAND --help / -h (exec looks only before its command's own arguments).
  if (name !== 'exec' && name !== 'help' && wantsHelp(args)) { io.out(`${USAGE[name]}\n\n${EXIT_CODES}`); return 0; }
  try {
    return await command(args, io);
  } catch (err) {
    io.err(`linux-caps: ${describeError(err)}`);
    return exitCodeOf(err) === 2 || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1;
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invokedDirectly || process.argv[1]?.endsWith('/linux-caps')) {
  enableCompileCache(); // before a command's modules load
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
