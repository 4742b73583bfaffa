// An example privileged daemon: started as root, it keeps only cap_net_bind_service (on every
// thread, verified), becomes nobody, then listens on a privileged port.
//   sudo PORT=443 node examples/daemon.mjs
import { createServer } from 'node:http';
import { readFile } from 'node:fs';
import { dropPrivileges } from 'linux-caps';

const port = Number(process.env.PORT ?? 443);

const dropped = dropPrivileges({
  user: 'nobody',
  keep: ['cap_net_bind_service'],
  limitBounding: true, // the bounding set holds only what is kept
  securebits: true,    // NOROOT, NO_SETUID_FIXUP, KEEP_CAPS_LOCKED, NO_CAP_AMBIENT_RAISE, locked
  noNewPrivs: true,
});
console.log(`dropped to uid ${dropped.uid} on ${dropped.threads.length} threads`);

// A root-only file is out of reach now, from the threadpool too (fs.readFile runs there).
if (process.env.SECRET_FILE) {
  readFile(process.env.SECRET_FILE, (err) => console.log(err ? `secret: ${err.code}` : 'secret: READABLE'));
}

createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(`hello from uid ${process.getuid()}\n`);
}).listen(port, () => console.log(`listening ${port}`));
