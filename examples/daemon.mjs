// An example privileged daemon: started as root, it keeps only cap_net_bind_service (on every
// thread, verified), becomes nobody, prints the state it verified on each thread, then listens
// on a privileged port. From a clone, after `npm install`:
//   sudo PORT=843 node examples/daemon.mjs
// With CHECK=1 it exits 0 once it listens (for `linux-caps need`, which needs a command that ends).
import { createServer } from 'node:http';
import { readFile } from 'node:fs';
import { dropPrivileges, formatCaps } from 'linux-caps';

const port = Number(process.env.PORT ?? 443);

const dropped = dropPrivileges({
  user: 'nobody',
  keep: ['cap_net_bind_service'],
  limitBounding: true, // the bounding set holds only what is kept
  securebits: true,    // NOROOT, NO_SETUID_FIXUP, KEEP_CAPS_LOCKED, NO_CAP_AMBIENT_RAISE, locked
  noNewPrivs: true,
});
console.log(`dropped to uid ${dropped.uid} on ${dropped.threads.length} threads, each verified from /proc:`);
for (const t of dropped.threads) {
  console.log(`  thread ${t.tid}: uid ${t.uid.effective} gid ${t.gid.effective} "${formatCaps(t)}" bounding ${t.bounding} ambient ${t.ambient.isEmpty ? '(none)' : t.ambient} securebits 0x${(t.securebits ?? 0).toString(16)} no_new_privs ${t.noNewPrivs ? 1 : 0}`);
}

// A root-only file is out of reach now, from the threadpool too (fs.readFile runs there).
if (process.env.SECRET_FILE) {
  readFile(process.env.SECRET_FILE, (err) => console.log(err ? `secret: ${err.code}` : 'secret: READABLE'));
}

createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(`hello from uid ${process.getuid()}\n`);
}).listen(port, function listening() {
  console.log(`listening ${port}`);
  if (process.env.CHECK === '1') this.close();
});
