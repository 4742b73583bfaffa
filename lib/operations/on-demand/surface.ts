/**
 * The public calls whose code loads on first use in the published bundle (issue 14, start-up):
 * launching children, dropping privileges, file capabilities, the bounding-set bound and
 * profiles. `import 'linux-caps'` compiles none of them; the first call loads them all
 * (dist/chunks/operations.js). In lib/ and the tests they load statically (load.ts, public.ts).
 */
export { launch, execInPlace } from '../launch/launch.js';
export { dropPrivileges, planDrop } from '../privileges.js';
export { fileCaps } from '../file-caps.js';
export { capBound } from '../capbound.js';
export { toProfile } from '../../profiles/profile.js';
