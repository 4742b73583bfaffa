/** Usage text of every `linux-caps` command (`linux-caps help CMD`, `CMD --help`). */

export const EXIT_CODES = `exit status: 0 success; 1 the operation failed (or a check said no, or explain predicts a
refusal); 2 usage error (unknown option, bad value); exec: the command's own status, 126 when
it cannot be executed, 127 when it is not found.`;

export const USAGE: Record<string, string> = {
  print: `usage: linux-caps print [--threads] [--json] [--pid PID] [PID…]
  The capability state as capsh --print shows it (this process, or each PID in turn), plus
  whether every thread is equal. --threads lists each thread; --json gives everything as JSON
  (an array for several PIDs). A PID that does not exist is reported and the status is 1.`,
  decode: `usage: linux-caps decode [--json] HEX…
  A capability mask as names, as capsh --decode prints it. --json: [{ mask, caps: [names] }].`,
  describe: `usage: linux-caps describe [--json] CAP…
  One plain line per capability: its number, its bit as /proc shows it, and what it allows
  (capsh --explain; capabilities(7) has the full rules). CAP: a name, a short name or a number.`,
  ps: `usage: linux-caps ps [-a] [--json]
  Processes holding capabilities, as pscap lists them (-a: every process).`,
  file: `usage: linux-caps file get [-n] [-r] [--json] PATH…
       linux-caps file set [-n ROOTID] [-v [-q]] TEXT PATH…
       linux-caps file rm PATH…
  File capabilities, as getcap / setcap / setcap -r. get skips symbolic links and anything but
  regular files (as getcap does); set and rm refuse them.
    -n          get: print [rootid=N] for namespaced (v3) capabilities; set: write them for ROOTID
    -r          get: walk directories (symbolic links are not followed), as getcap -r
    --json      get: [{ path, version, effective, permitted, inheritable, rootid?, text }]
    -v          set: compare instead of writing; prints "PATH: OK" or "PATH differs in [pie]",
                status 1 when any differs (as setcap -v)
    -q          set -v: print nothing, only the status`,
  exec: `usage: linux-caps exec [options] [--] COMMAND [ARGS…]
  Becomes COMMAND (the same pid, as capsh and setpriv do) with an exact capability state.
  Options stop at the first operand, so \`exec id -u\` needs no --.
    --user U        user name or uid (a uid without a passwd entry needs --group and --groups)
    --group G       group name or gid
    --groups a,b    supplementary groups (none: clear them)
    --iab TEXT      libcap IAB text, e.g. ^cap_net_raw,!cap_sys_admin
    --caps TEXT     the exact E/P/I before exec; the ambient set is cleared unless --addamb names it
    --inh a,b       inheritable capabilities
    --addamb a,b    ambient capabilities (each must also be given to --inh, as capsh requires)
    --drop a,b      drop from the bounding set
    --secbits N     securebits: a decimal or 0x number, or names (noroot,noroot_locked,…)
    --nnp           set no_new_privs
    --cwd DIR       working directory
    --oci FILE      an OCI config.json (or its process block): its capabilities, noNewPrivileges
                    and user, applied as runc applies them; not with the options above but --cwd
  As root without --user or --secbits noroot, exec gives the command its whole bounding set:
  a warning on stderr says so.`,
  has: `usage: linux-caps has [--pid PID] [--set permitted|effective|inheritable|bounding|ambient] CAP…
  A check for scripts, like capsh --has-p: exit 0 when the process (default: this one) holds
  every CAP in the set (default: permitted), 1 when not (the missing names on stderr).`,
  need: `usage: linux-caps need [--json] [--user U] [--runs N] [--timeout S] [--budget S]
                      [--expect-stdout RE] [--no-nnp] -- CMD ARGS…
  The minimal set of capabilities CMD succeeds with (exit 0, and stdout matching RE if given),
  found by running it: first with every capability this process can give, then taking groups
  away and splitting those it cannot lose, then once more with the result. Every run is a fresh
  child; this process keeps its own capabilities. As root (the default) CMD runs as root with the
  candidate set as its bounding set, as in a container; with --user, as that user with the set
  ambient, as a daemon after dropPrivileges. --runs repeats each decision and reports a flaky
  command; --timeout limits each run (default 10 s), --budget the search (default 600 s).
  Minimal means no single capability can go, not that no smaller set exists. --json gives the
  result as \`linux-caps profile --from\` reads it.`,
  profile: `usage: linux-caps profile --format systemd|docker|podman|compose|k8s|oci|label|capsh
                         [--caps TEXT | --pid PID | --from FILE.json] [--user U] [--no-nnp]
  The fragment each tool reads to run a program with just these capabilities: a systemd unit's
  [Service] lines, docker/podman flags, compose or Kubernetes YAML, an OCI process block, Podman's
  io.containers.capabilities label, a capsh command line. The state is libcap text (its permitted
  set), a live process, or a \`need --json\` result; default: this process. As root (the default)
  the capabilities are the bounding, permitted and effective sets, as a container holds them;
  with --user they are ambient too, as a daemon keeps them across exec. no_new_privs is set
  unless --no-nnp.`,
  explain: `usage: linux-caps explain [--from current|root] [--caps TEXT] [--uid U] [--json] STEP…
  The model's prediction, step by step, with the rule that decided each one.
    steps: caps=TEXT drop=a,b amb+=a amb-=a amb=clear secbits=N keepcaps=0|1 nnp
           setuid=N setresuid=R,E,S setgid=N setgroups=a,b userns exec=PATH`,
  vserver: `usage: linux-caps vserver DIR [--era ERA] [--cap-bound N] [--json]
  A util-vserver guest's capabilities under each masking policy.`,
  help: `usage: linux-caps help [COMMAND]
  The list of commands, or one command's usage.`,
};

/** Whether args ask for help: -h or --help before any operand or \`--\`. */
export function wantsHelp(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}
