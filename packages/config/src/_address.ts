// An e-mail entry's `to` is one address: the rule is the pulse's (what it can
// mail), checked here before anything is written.
import { addressProblem } from '@svcmon/pulse';
import { ConfigError, type ConfigFunction } from './errors.js';

/** Throws E_INVALID_ENTRY (key `to`) unless `to` is exactly one e-mail address with no control character. */
export function checkRecipient(fn: ConfigFunction, to: unknown): void {
  if (typeof to !== 'string') return; // the entry's own validation names a wrong type
  const problem = addressProblem(to);
  if (problem === undefined) return;
  throw new ConfigError('E_INVALID_ENTRY', `${fn}: to must be one e-mail address, but ${JSON.stringify(to)} ${problem}`, {
    fn,
    key: 'to',
    value: to,
  });
}
