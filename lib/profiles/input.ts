/**
 * What a profile can be made from, turned into a ProfileInput: a capability state (caps.get(),
 * thread.get(), readProcessStatus(pid)), a `linux-caps need --json` result, or libcap text.
 */
import { CapSet } from '../vocabulary/capset.js';
import { tryCapFromName } from '../vocabulary/names.js';
import { invalidArg } from '../vocabulary/errors.js';
import { parseCaps } from '../text/index.js';
import type { NeedResultLike, ProfileInput, ProfileSource, StateLike } from './types.js';

/**
 * A profile input from a `need --json` result, refusing anything else with ERR_CAPS_INVALID_ARG
 * naming the field that is wrong.
 */
export function fromNeedResult(value: unknown): ProfileInput {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidArg('need result', value, 'the object `linux-caps need --json` prints');
  const r = value as Record<string, unknown>;
  if (!Array.isArray(r.needed) || r.needed.some((n) => typeof n !== 'string' || tryCapFromName(n) === undefined)) {
    throw invalidArg('need result field "needed"', r.needed, 'an array of capability names');
  }
  if (r.mode !== 'root' && r.mode !== 'user') throw invalidArg('need result field "mode"', r.mode, "'root' or 'user'");
  if (r.mode === 'user' && typeof r.user !== 'string' && typeof r.user !== 'number') {
    throw invalidArg('need result field "user"', r.user, "the user a 'user'-mode run ran as");
  }
  return { caps: CapSet.of(...(r.needed as string[]).map((name) => tryCapFromName(name)!)), ...(r.mode === 'user' ? { user: r.user as string | number } : {}), noNewPrivs: r.noNewPrivs !== false };
}

/**
 * A profile input from a capability state: the program needs what it holds in P (its ambient set
 * lies inside P), runs as its effective uid, and keeps its no_new_privs and securebits.
 */
export function fromState(state: StateLike): ProfileInput {
  if (state === null || typeof state !== 'object' || state.permitted === undefined) throw invalidArg('capability state', state, 'a state with a permitted set (caps.get(), thread.get(), readProcessStatus())');
  const uid = state.uid?.effective;
  return {
    caps: CapSet.from(state.permitted),
    ...(typeof uid === 'number' ? { user: uid } : {}),
    noNewPrivs: state.noNewPrivs === true,
    ...(typeof state.securebits === 'number' ? { securebits: state.securebits } : {}),
  };
}

/** A profile input from libcap text: the capabilities in its permitted set (`cap_chown,cap_kill=ep`). */
export function fromText(text: string): ProfileInput {
  return { caps: parseCaps(text).permitted };
}

/** Any ProfileSource as a ProfileInput: a ProfileInput as it is, a need result or a state converted. */
export function toProfileInput(source: ProfileSource): ProfileInput {
  if (source === null || typeof source !== 'object') throw invalidArg('profile source', source, '{ caps, user? }, a capability state or a need result');
  if ('caps' in source) return source;
  if ('needed' in source) return fromNeedResult(source as NeedResultLike);
  return fromState(source);
}
