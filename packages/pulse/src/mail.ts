import { readFileSync } from 'node:fs';
import { parseAddress, type Mailbox } from './address.js';
import type { EmailConfig } from './email-config.js';
import { keepCause, PulseError } from './errors.js';

export const DEFAULT_SENDMAIL = '/usr/sbin/sendmail';

export interface SendReportOptions {
  /** How to send (default: local sendmail). */
  emailConfig?: EmailConfig;
  /** Addresses, in order; the first is the default sender. */
  recipients: readonly string[];
  /** Named in the subject. */
  bucket: string;
  ok: boolean;
  /** The report text (as renderReport returns it). */
  report: string;
  /** The subject (default: `reportSubject(bucket, ok)`). */
  subject?: string;
  /** The Date header (default: now). */
  date?: Date;
  /** Give up on an SMTP server after this many milliseconds (default 60 000). */
  timeoutMs?: number;
}

export interface SentReport {
  messageId: string;
  from: string;
  recipients: string[];
  subject: string;
  /** Per recipient, in order: all accepted (a refused one makes sendReport throw). */
  delivery: RecipientDelivery[];
}

/** Whether one recipient got the report: the SMTP server's accepted/rejected lists (sendmail accepts all it is given). */
export interface RecipientDelivery {
  /** The address as configured. */
  to: string;
  accepted: boolean;
  /** Why not: not an address, the server's answer (`550 …`), or why nothing was sent. */
  reason?: string;
}

/** What became of the report, for the pulse result: never throws. */
export interface MailOutcome {
  sent: boolean;
  /** One line naming who did not get it, and why. */
  error?: string;
  delivery: RecipientDelivery[];
  /** The error behind `error` (not enumerable: stays out of JSON; `--debug` prints it). */
  cause?: unknown;
}

export function reportSubject(bucket: string, ok: boolean): string {
  return `[take-pulse] ${ok ? 'successful' : 'FAILED'} health check at ${bucket}`;
}

const PORTS = { plain: 25, ssl: 465, tls: 587 } as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function transportOptions(config: EmailConfig, timeoutMs: number): any {
  if (!config.server) {
    return { sendmail: true, path: config.sendmail ?? DEFAULT_SENDMAIL, newline: 'unix' };
  }
  const connect = config.connect ?? 'plain';
  const tls: Record<string, unknown> = {};
  if (config['tls-ca'] !== undefined) tls.ca = readFileSync(config['tls-ca'], 'utf8');
  if (config['tls-verify?'] === false) tls.rejectUnauthorized = false;
  return {
    host: config.server,
    port: config.port ?? PORTS[connect],
    secure: connect === 'ssl',
    // plain: never upgrade, as the original; tls: STARTTLS is required.
    ignoreTLS: connect === 'plain',
    requireTLS: connect === 'tls',
    ...(config['sending-server'] !== undefined ? { name: config['sending-server'] } : {}),
    ...(config.user !== undefined ? { auth: { user: config.user, pass: config.password ?? '' } } : {}),
    tls,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  };
}

// OpenSSL's words when the other side does not speak TLS at all.
const NOT_TLS = /wrong version number|packet length too long|unknown protocol|http request|record layer failure/i;

/** OpenSSL's raw text and bare timeouts, said in the e-mail config's words, with what to change. */
function tlsMismatch(config: EmailConfig, e: unknown): string | undefined {
  const { code, message } = (e ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : '';
  const connect = config.connect ?? 'plain';
  if (connect === 'ssl' && NOT_TLS.test(text)) {
    return 'the server did not answer in TLS: this port does not take TLS from the first byte (connect ssl, as on port 465); for STARTTLS (port 587) set connect to tls, for no encryption (port 25) to plain';
  }
  if (connect !== 'ssl' && code === 'ETIMEDOUT' && /greeting/i.test(text)) {
    return `${text}: the server said nothing; if this port expects TLS from the first byte (as port 465 does), set connect to ssl`;
  }
  return undefined;
}

function mailFailure(config: EmailConfig, e: unknown): string {
  const where = config.server
    ? `SMTP server ${config.server}:${config.port ?? PORTS[config.connect ?? 'plain']}`
    : `sendmail (${config.sendmail ?? DEFAULT_SENDMAIL})`;
  let message = tlsMismatch(config, e) ?? (e instanceof Error ? e.message : String(e));
  if (config.password) message = message.split(config.password).join('********');
  return `cannot send the report through ${where}: ${message.replace(/\s*\n\s*/g, ' ')}`;
}

function serverReply(e: unknown): string {
  const { response, message } = (e ?? {}) as { response?: unknown; message?: unknown };
  const text = typeof response === 'string' && response !== '' ? response : typeof message === 'string' ? message : String(e);
  return text.replace(/\s*\n\s*/g, ' ');
}

function notDelivered(delivery: readonly RecipientDelivery[]): string {
  const missed = delivery.filter((d) => !d.accepted);
  const names = missed.map((d) => `${JSON.stringify(d.to)} (${d.reason ?? 'refused'})`).join(', ');
  return `the report did not reach ${missed.length} of ${delivery.length} recipients: ${names}`;
}

/** The error's per-recipient outcome, when sendReport threw one that has it. */
function deliveryOf(e: unknown): RecipientDelivery[] | undefined {
  const d = (e as { delivery?: unknown } | null)?.delivery;
  return Array.isArray(d) ? (d as RecipientDelivery[]) : undefined;
}

/**
 * Mail the report: subject `[take-pulse] successful|FAILED health check at <bucket>`,
 * To: the recipients in order, From: `from` else the first recipient, body: the report.
 * Each recipient must be one address (see parseAddress); one that is not, or that the SMTP
 * server refuses, is not delivered to, and the report counts as not sent: throws PulseError
 * E_MAIL naming who did not get it, with `delivery` (per recipient) on the error. Never with
 * the password in it.
 */
export async function sendReport(options: SendReportOptions): Promise<SentReport> {
  const config = options.emailConfig ?? {};
  const recipients = [...options.recipients];
  if (recipients.length === 0) throw new PulseError('E_MAIL', 'cannot send the report: no recipients');
  const delivery: RecipientDelivery[] = [];
  // The recipients that are one address each, with their delivery entry to fill in.
  const boxes: Array<{ d: RecipientDelivery; box: Mailbox }> = [];
  for (const to of recipients) {
    const parsed = parseAddress(to);
    const d: RecipientDelivery = { to, accepted: false };
    if ('problem' in parsed) d.reason = `not sent, it ${parsed.problem}`;
    else boxes.push({ d, box: parsed });
    delivery.push(d);
  }
  const fail = (message: string, cause?: unknown): PulseError => {
    const error = new PulseError('E_MAIL', message, cause === undefined ? {} : { cause });
    Object.defineProperty(error, 'delivery', { value: delivery, enumerable: true });
    return error;
  };
  const sender = config.from !== undefined ? parseAddress(config.from) : boxes[0]?.box;
  if (sender === undefined || 'problem' in sender) {
    for (const d of delivery) d.reason ??= 'not sent: no usable sender address';
    const why = sender === undefined ? 'no recipient is an e-mail address' : `from ${JSON.stringify(config.from)} ${sender.problem}`;
    throw fail(`cannot send the report: ${why}; ${notDelivered(delivery)}`);
  }
  const from = config.from ?? boxes[0]!.d.to;
  const subject = options.subject ?? reportSubject(options.bucket, options.ok);
  let transport;
  let messageId = '';
  try {
    // Loaded only when there is mail to send: it is most of this package's start-up cost.
    const { default: nodemailer } = await import('nodemailer');
    transport = nodemailer.createTransport(transportOptions(config, options.timeoutMs ?? 60_000));
  } catch (e) {
    for (const d of delivery) d.reason ??= 'not sent';
    throw fail(mailFailure(config, e), e);
  }
  try {
    // The original sends the report's lines each ended by CRLF: the report plus one empty line.
    const info = await transport.sendMail({
      from,
      to: boxes.map((b) => b.d.to).join(', '),
      subject,
      date: options.date ?? new Date(),
      text: `${options.report}\n`,
      envelope: { from: sender.address, to: boxes.map((b) => b.box.address) },
    });
    messageId = String(info.messageId ?? '');
    // SMTP: the server's lists; sendmail took the message for every address it was given.
    const rejected = new Map<string, string>();
    const errors = (info as { rejectedErrors?: Array<{ recipient?: unknown }> }).rejectedErrors ?? [];
    for (const address of (info.rejected ?? []).map(String)) {
      const err = errors.find((x) => x.recipient === address);
      rejected.set(address.toLowerCase(), err ? serverReply(err) : 'refused by the server');
    }
    for (const { d, box } of boxes) {
      const refused = rejected.get(box.address.toLowerCase());
      if (refused === undefined) d.accepted = true;
      else d.reason = `refused by the SMTP server: ${refused}`;
    }
  } catch (e) {
    // Every recipient refused (nodemailer's EENVELOPE), or nothing could be sent at all.
    const refused = (e as { rejectedErrors?: Array<{ recipient?: unknown }> }).rejectedErrors ?? [];
    for (const { d, box } of boxes) {
      const err = refused.find((x) => typeof x.recipient === 'string' && x.recipient.toLowerCase() === box.address.toLowerCase());
      d.reason = err ? `refused by the SMTP server: ${serverReply(err)}` : 'not sent';
    }
    const why = refused.length > 0 ? notDelivered(delivery) : `${mailFailure(config, e)}${delivery.some((d) => d.reason !== 'not sent') ? `; ${notDelivered(delivery)}` : ''}`;
    throw fail(why, e);
  } finally {
    transport.close();
  }
  if (delivery.some((d) => !d.accepted)) throw fail(notDelivered(delivery));
  return { messageId, from, recipients, subject, delivery };
}

/**
 * sendReport for the pulse result: what happened to each recipient, never a throw.
 */
export async function deliverReport(options: SendReportOptions): Promise<MailOutcome> {
  try {
    return { sent: true, delivery: (await sendReport(options)).delivery };
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    const delivery = deliveryOf(e) ?? options.recipients.map((to) => ({ to, accepted: false, reason: 'not sent' }));
    return keepCause<MailOutcome>({ sent: false, error, delivery }, e);
  }
}
