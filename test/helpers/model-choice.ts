/**
 * The model suite runs with LINUX_CAPS_BACKEND=model. On Linux a model chosen only by the
 * environment refuses changes (issue 23: an inherited variable must not make a privileged
 * process fail open), so the suite chooses it in code, as a program that simulates would.
 * Imported lazily: otherwise every test file would load lib/ before its own vi.mock() applies.
 */
if (process.env.LINUX_CAPS_BACKEND === 'model') {
  const { useBackend } = await import('../../lib/index.js');
  useBackend('model');
}
