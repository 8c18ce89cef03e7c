// An e-mail entry's `to` is one address: the rule is the pulse's (what it can
// mail), checked here before anything is written. Loaded only by set-email, so
// that other edits do not pay for the pulse's start-up.
import { ConfigError, type ConfigFunction } from './errors.js';

/** Rejects with E_INVALID_ENTRY (key `to`) unless `to` is exactly one e-mail address with no control character. */
export async function checkRecipient(fn: ConfigFunction, to: unknown): Promise<void> {
  if (typeof to !== 'string') return; // the entry's own validation names a wrong type
  const { addressProblem } = await import('@svcmon/pulse');
  const problem = addressProblem(to);
  if (problem === undefined) return;
  throw new ConfigError('E_INVALID_ENTRY', `${fn}: to must be one e-mail address, but ${JSON.stringify(to)} ${problem}`, {
    fn,
    key: 'to',
    value: to,
  });
}
