// Preloaded (NODE_OPTIONS=--require) into every Node that `npm run test:arm64` starts under
// qemu-user. Without binfmt_misc the host kernel cannot execve an aarch64 ELF, so a test that
// starts `process.execPath` (the arm64 node) would get ENOEXEC: this maps that path to the
// wrapper script named by LINUX_CAPS_QEMU_NODE (`exec qemu-aarch64-static <arm64 node> "$@"`).
// Nothing else changes: other programs (capsh, setpriv, /bin/true) are the host's and run as is.
'use strict';
const childProcess = require('node:child_process');
const { syncBuiltinESMExports } = require('node:module');

const wrapper = process.env.LINUX_CAPS_QEMU_NODE;
if (wrapper) {
  const self = process.execPath;
  const mapFile = (file) => (file === self ? wrapper : file);
  // The arm64 node as an argument of a program that execs it (setpriv, unshare), or inside a
  // shell command line (capsh -- -c 'exec node …').
  const mapArgs = (args) => (Array.isArray(args) ? args.map((a) => (typeof a === 'string' ? a.split(self).join(wrapper) : a)) : args);
  for (const name of ['spawn', 'spawnSync', 'execFile', 'execFileSync']) {
    const original = childProcess[name];
    childProcess[name] = function (file, args, ...rest) { return original.call(this, mapFile(file), mapArgs(args), ...rest); };
  }
  for (const name of ['exec', 'execSync']) {
    const original = childProcess[name];
    childProcess[name] = function (command, ...rest) {
      return original.call(this, typeof command === 'string' ? command.split(self).join(wrapper) : command, ...rest);
    };
  }
  const originalFork = childProcess.fork;
  childProcess.fork = function (modulePath, args, options) {
    if (args !== undefined && args !== null && !Array.isArray(args)) return childProcess.fork(modulePath, [], args);
    const opts = { ...(options ?? {}) };
    opts.execPath = mapFile(opts.execPath ?? self);
    return originalFork.call(this, modulePath, args ?? [], opts);
  };
  syncBuiltinESMExports();
}
