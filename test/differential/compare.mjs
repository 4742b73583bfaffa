/**
 * Compares one step: the model's transition and predicted state against what the kernel did
 * (the executor's result line and state line).
 */

const SET_FIELDS = ['e', 'p', 'i', 'b', 'a'];
const SCALAR_FIELDS = ['sb', 'kc', 'nnp', 'sec'];
const LIST_FIELDS = ['uid', 'gid', 'groups'];

/** The return value the model predicts for a successful call. */
export function expectedReturn(result) {
  if (typeof result === 'number') return result;
  if (typeof result === 'boolean') return result ? 1 : 0;
  if (typeof result === 'bigint') return Number(result);
  return 0;
}

/** Names of the snapshot fields that differ. */
export function stateDiff(predicted, observed) {
  const out = [];
  for (const f of SET_FIELDS) if (predicted[f] !== observed[f]) out.push(f);
  for (const f of SCALAR_FIELDS) if (predicted[f] !== observed[f]) out.push(f);
  for (const f of LIST_FIELDS) if (predicted[f].join(',') !== observed[f].join(',')) out.push(f);
  return out;
}

/**
 * @returns {string[]} what differs ('errno', 'ret', or state field names); empty when they agree
 */
export function compareStep({ transition, predicted }, { result, state }) {
  const diffs = [];
  const predErr = transition.errno ? -transition.errno : 0;
  if (predErr !== result.err) diffs.push('errno');
  else if (predErr === 0 && expectedReturn(transition.result) !== result.ret) diffs.push('ret');
  else if (predErr === 0 && result.data) {
    // capget's data: E, P, I of the target as the header version lets it see them.
    const r = transition.result ?? {};
    const seen = result.data.map((h) => BigInt(`0x${h}`));
    if (r.effective !== seen[0] || r.permitted !== seen[1] || r.inheritable !== seen[2]) diffs.push('capget data');
  }
  diffs.push(...stateDiff(predicted, state));
  return diffs;
}

const hex = (m) => `0x${m.toString(16)}`;

/** A snapshot in one line, only the given fields (all when omitted). */
export function formatSnapshot(s, fields) {
  const show = (f) => !fields || fields.includes(f);
  const parts = [];
  for (const f of SET_FIELDS) if (show(f)) parts.push(`${f.toUpperCase()}=${hex(s[f])}`);
  if (show('sb')) parts.push(`sb=0x${s.sb.toString(16)}`);
  if (show('kc')) parts.push(`keepcaps=${s.kc}`);
  if (show('nnp')) parts.push(`nnp=${s.nnp}`);
  if (show('uid')) parts.push(`uid=${s.uid.join('/')}`);
  if (show('gid')) parts.push(`gid=${s.gid.join('/')}`);
  if (show('groups')) parts.push(`groups=[${s.groups.join(',')}]`);
  if (show('sec')) parts.push(`AT_SECURE=${s.sec}`);
  return parts.join(' ');
}
