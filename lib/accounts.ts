/**
 * The account source for this process: libc's NSS through the addon on the kernel backend (as
 * id(1), setpriv and process.setuid() resolve names), the files on the model backend.
 */
import type { AccountSource } from './account-source.js';
import { filesAccounts } from './account-files.js';
import { getBackend } from './backend.js';
import { nssAccounts } from './backends/native-accounts.js';
import { loadNative } from './native.js';

export function systemAccounts(): AccountSource {
  return getBackend().kind === 'native' ? nssAccounts(loadNative()) : filesAccounts();
}
