import { open } from 'node:fs/promises';
import { isRktdSyntaxError, isSym, parse, RHash } from '@svcmon/rktd';
import { addressProblem, controlCharacter } from './address.js';
import { PulseError } from './errors.js';
import { validateWebhooks, type WebhookConfig } from './webhooks.js';

/**
 * How to send the report (the original's email-config hash, same key names in JSON).
 * Without `server`, mail goes through the local sendmail program.
 */
export interface EmailConfig {
  /** SMTP host. */
  server?: string;
  /** Default by `connect`: plain 25, ssl 465, tls 587. */
  port?: number;
  /** `plain`: no encryption; `ssl`: implicit TLS; `tls`: STARTTLS (required). Default plain. */
  connect?: 'plain' | 'ssl' | 'tls';
  user?: string;
  password?: string;
  /** Sender address; default: the first recipient. */
  from?: string;
  /** The name this client announces in EHLO. */
  'sending-server'?: string;
  /** svcmon: a PEM file of CA certificates to trust for `ssl`/`tls` (for a private CA or self-signed server). */
  'tls-ca'?: string;
  /** svcmon: `#f` accepts any server certificate (not recommended; prefer `tls-ca`). Default `#t`. */
  'tls-verify?'?: boolean;
  /** svcmon: the sendmail program used without `server` (default /usr/sbin/sendmail). */
  sendmail?: string;
  /** svcmon: webhooks called in the same mode as mail (`url` + `format`: json, slack, ntfy). */
  webhooks?: WebhookConfig[];
}

type Kind = 'string' | 'address' | 'port' | 'connect' | 'boolean' | 'webhooks';
const KEYS: Record<keyof EmailConfig, Kind> = {
  server: 'string',
  port: 'port',
  connect: 'connect',
  user: 'string',
  password: 'string',
  from: 'address',
  'sending-server': 'string',
  'tls-ca': 'string',
  'tls-verify?': 'boolean',
  sendmail: 'string',
  webhooks: 'webhooks',
};

/** What kind of value this is, never the value itself (for the password). */
function kindOf(value: unknown): string {
  if (typeof value === 'string') return 'a string';
  if (isSym(value)) return 'a symbol';
  if (typeof value === 'number' || typeof value === 'bigint') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  if (Array.isArray(value)) return 'a list';
  return 'a value of another type';
}

function describe(key: string, value: unknown): string {
  if (key === 'password') return kindOf(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (isSym(value)) return value.name;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return 'a value of the wrong type';
}

/**
 * Check an e-mail configuration given as a plain object (JSON, or a Racket hash's entries).
 * Throws PulseError E_EMAIL_CONFIG naming the key; never echoes the password.
 */
export function validateEmailConfig(input: unknown, source = 'e-mail config'): EmailConfig {
  const entries: Array<[string, unknown]> = [];
  if (input instanceof RHash) {
    for (const [k, v] of input.entries) {
      if (!isSym(k)) {
        throw new PulseError('E_EMAIL_CONFIG', `${source}: keys must be symbols, found ${describe('', k)}`, { file: source });
      }
      entries.push([k.name, v]);
    }
  } else if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    entries.push(...Object.entries(input));
  } else {
    throw new PulseError('E_EMAIL_CONFIG', `${source}: expected a hash table (or a JSON object) of settings`, { file: source });
  }
  const out: Record<string, unknown> = {};
  for (const [key, raw] of entries) {
    if (raw === undefined) continue;
    const kind = (KEYS as Record<string, Kind | undefined>)[key];
    const bad = (want: string): PulseError =>
      new PulseError('E_EMAIL_CONFIG', `${source}: ${key} must be ${want}, not ${describe(key, raw)}`, { file: source, key });
    if (kind === undefined) {
      throw new PulseError(
        'E_EMAIL_CONFIG',
        `${source}: unknown key ${key} (known: ${Object.keys(KEYS).join(', ')})`,
        { file: source, key },
      );
    }
    let value: unknown = raw;
    switch (kind) {
      case 'string': {
        if (typeof raw !== 'string') throw bad('a string');
        // Each of these reaches a protocol line (EHLO, AUTH) or a command line; the password is sent encoded.
        const control = key === 'password' ? undefined : controlCharacter(raw);
        if (control !== undefined) {
          throw new PulseError('E_EMAIL_CONFIG', `${source}: ${key} must be one line of text, but contains a control character (${control})`, { file: source, key });
        }
        break;
      }
      case 'address': {
        const problem = addressProblem(raw);
        if (problem !== undefined) {
          const shown = typeof raw === 'string' ? JSON.stringify(raw) : describe(key, raw);
          throw new PulseError('E_EMAIL_CONFIG', `${source}: ${key} must be one e-mail address, but ${shown} ${problem}`, { file: source, key });
        }
        break;
      }
      case 'boolean':
        if (typeof raw !== 'boolean') throw bad('a boolean');
        break;
      case 'port':
        if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1 || raw > 65535) throw bad('an integer from 1 to 65535');
        break;
      case 'webhooks':
        value = validateWebhooks(raw, source);
        break;
      case 'connect':
        value = isSym(raw) ? raw.name : raw;
        if (value !== 'plain' && value !== 'ssl' && value !== 'tls') throw bad('plain, ssl or tls');
        break;
    }
    out[key] = value;
  }
  return out as EmailConfig;
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

/**
 * Parse an e-mail configuration: a Racket hash (as the original reads it) or, when the text
 * starts with `{`, JSON. `source` names the file in error messages.
 */
export function parseEmailConfig(text: string, source = 'e-mail config'): EmailConfig {
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  if (trimmed.startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const lc = /line (\d+) column (\d+)/.exec(message);
      const pos = /position (\d+)/.exec(message);
      const where = lc ? { line: Number(lc[1]), column: Number(lc[2]) } : pos ? lineColumn(text, Number(pos[1])) : undefined;
      const at = where ? `:${where.line}:${where.column}` : '';
      throw new PulseError('E_EMAIL_CONFIG', `${source}${at}: not valid JSON: ${message.replace(/ \(line \d+ column \d+\)$/, '')}`, {
        file: source,
        cause: e,
        ...where,
      });
    }
    return validateEmailConfig(value, source);
  }
  let value: unknown;
  try {
    value = parse(text, { source });
  } catch (e) {
    if (isRktdSyntaxError(e)) {
      throw new PulseError('E_EMAIL_CONFIG', e.message.startsWith(source) ? e.message : `${source}:${e.line}:${e.column}: ${e.message}`, {
        file: source,
        line: e.line,
        column: e.column,
        cause: e,
      });
    }
    throw new PulseError('E_EMAIL_CONFIG', `${source}: ${e instanceof Error ? e.message : String(e)}`, { file: source, cause: e });
  }
  return validateEmailConfig(value, source);
}

/** The most of an e-mail config file svcmon reads (it holds a server, addresses and a few webhooks). */
export const MAX_EMAIL_CONFIG_BYTES = 1024 * 1024;

export interface ReadEmailConfigOptions {
  /** Where a warning goes (a password in a file others can read); default: one line on stderr. */
  onWarning?: (message: string) => void;
}

/**
 * Read and parse an e-mail configuration file (Racket hash or JSON). A file
 * that holds a `password` and that group or others may read draws a warning.
 */
export async function readEmailConfig(file: string, options: ReadEmailConfigOptions = {}): Promise<EmailConfig> {
  let text: string;
  let mode: number;
  try {
    // At most the bound and one byte more, whatever the file is (one that grows, a device).
    const fh = await open(file, 'r');
    let read = 0;
    const buf = Buffer.alloc(MAX_EMAIL_CONFIG_BYTES + 1);
    try {
      mode = (await fh.stat()).mode;
      for (let n = -1; n !== 0 && read < buf.length; read += n) ({ bytesRead: n } = await fh.read(buf, read, buf.length - read, null));
    } finally {
      await fh.close();
    }
    if (read > MAX_EMAIL_CONFIG_BYTES) {
      throw new PulseError(
        'E_EMAIL_CONFIG',
        `e-mail config ${file} is too large: more than ${MAX_EMAIL_CONFIG_BYTES} bytes (1 MiB, MAX_EMAIL_CONFIG_BYTES), the most svcmon reads`,
        { file },
      );
    }
    text = buf.toString('utf8', 0, read);
  } catch (e) {
    if (e instanceof PulseError) throw e;
    if (e instanceof PulseError) throw e;
    const code = (e as { code?: unknown }).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : e instanceof Error ? e.message : String(e);
    throw new PulseError('E_EMAIL_CONFIG', `cannot read e-mail config ${file}: ${why}`, { file, cause: e });
  }
  const config = parseEmailConfig(text, file);
  if (config.password !== undefined && (mode & 0o077) !== 0 && process.platform !== 'win32') {
    const warn = options.onWarning ?? ((m: string) => process.stderr.write(`svcmon: warning: ${m}\n`));
    const octal = (mode & 0o777).toString(8).padStart(3, '0');
    warn(`${file} holds a password and others can read it (mode ${octal}); run: chmod 600 ${file}`);
  }
  return config;
}
