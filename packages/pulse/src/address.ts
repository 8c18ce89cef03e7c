// One e-mail address, as a `to` entry or the `from` setting holds it: read by
// nodemailer's own address parser (what the mail is later built with), so what
// passes here is what reaches the SMTP envelope, one recipient and no more.
import addressparser from 'nodemailer/lib/addressparser';

/** A single mailbox: the bare address and the display name (often empty). */
export interface Mailbox {
  address: string;
  name: string;
}

// C0 controls, DEL, C1 controls and the Unicode line and paragraph separators:
// none may reach a mail header, where a line break starts a new header.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** `U+000D` for the first control character of `text`, or undefined when it has none. */
export function controlCharacter(text: string): string | undefined {
  const m = CONTROL.exec(text);
  return m ? `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` : undefined;
}

// name@domain: one @, a non-empty local part, a domain of non-empty labels (or a [literal]).
const ADDRESS = /^[^@\s]+@(?:\[[^\]\s]+\]|[^.@\s[\]]+(?:\.[^.@\s[\]]+)*)$/;

/**
 * Reads `text` as exactly one e-mail address (`ops@example.com` or `Ops <ops@example.com>`).
 * Returns the mailbox, or why it is not one address (for a message: `"x" <why>`).
 */
export function parseAddress(text: unknown): Mailbox | { problem: string } {
  if (typeof text !== 'string') return { problem: 'is not a string' };
  const control = controlCharacter(text);
  if (control !== undefined) return { problem: `contains a control character (${control}); an address is one line of text` };
  const trimmed = text.trim();
  if (trimmed === '') return { problem: 'is empty; give an address like ops@example.com' };
  const parsed = addressparser(trimmed);
  if (parsed.length > 1) {
    const parts = parsed.map((p) => JSON.stringify(p.address || p.name)).join(', ');
    return { problem: `is ${parsed.length} addresses (${parts}), not one; give each address its own entry` };
  }
  const [one] = parsed;
  if (one === undefined) return { problem: 'is not an e-mail address (expected name@domain)' };
  if (one.group !== undefined) return { problem: `is a group of addresses (${JSON.stringify(one.name)}:), not one address` };
  const { address } = one;
  // Text around the address that the parser would have kept as a name ("a b@c", "x@y (z)")
  // is a typo more often than a name: a name is written `Name <address>`.
  const bare = address === trimmed;
  const named = trimmed.endsWith(`<${address}>`);
  if (!ADDRESS.test(address) || (!bare && !named)) {
    return { problem: 'is not an e-mail address (expected name@domain, or Name <name@domain>)' };
  }
  return { address, name: one.name };
}

/** Why `text` is not exactly one e-mail address, or undefined when it is one. */
export function addressProblem(text: unknown): string | undefined {
  const parsed = parseAddress(text);
  return 'problem' in parsed ? parsed.problem : undefined;
}
