/** Runs once before all tests: make sure dist/ exists for tests that spawn child processes. */
import { existsSync } from 'node:fs';

export default function setup(): void {
  if (!existsSync(new URL('../../dist/index.js', import.meta.url))) {
    throw new Error('dist/ is missing: run `npm run build` (npm test does it in pretest)');
  }
}
