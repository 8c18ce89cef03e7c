import type { EmailMode } from './types.js';

export interface EmailLike {
  to: string;
  'on-success?'?: boolean;
  [key: string]: unknown;
}

/**
 * Who gets the report, in config order: nobody for `none`; for `always` everyone, except
 * addresses with `on-success? #f` when all is healthy; for `failure` everyone, only when not ok;
 * for `change` everyone (the caller asks only when the pulse notifies: a recovery is news to all).
 */
export function decideRecipients(
  config: { emails?: readonly EmailLike[]; [key: string]: unknown },
  mode: EmailMode,
  ok: boolean,
): string[] {
  if (mode === 'none' || (mode === 'failure' && ok)) return [];
  const emails = config.emails ?? [];
  if (mode === 'change') return emails.map((e) => e.to);
  return emails.filter((e) => !ok || e['on-success?'] !== false).map((e) => e.to);
}
