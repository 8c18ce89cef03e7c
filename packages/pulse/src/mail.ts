import { readFileSync } from 'node:fs';
import type { EmailConfig } from './email-config.js';
import { PulseError } from './errors.js';

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

function mailFailure(config: EmailConfig, e: unknown): string {
  const where = config.server
    ? `SMTP server ${config.server}:${config.port ?? PORTS[config.connect ?? 'plain']}`
    : `sendmail (${config.sendmail ?? DEFAULT_SENDMAIL})`;
  let message = e instanceof Error ? e.message : String(e);
  if (config.password) message = message.split(config.password).join('********');
  return `cannot send the report through ${where}: ${message.replace(/\s*\n\s*/g, ' ')}`;
}

/**
 * Mail the report: subject `[take-pulse] successful|FAILED health check at <bucket>`,
 * To: the recipients in order, From: `from` else the first recipient, body: the report.
 * Throws PulseError E_MAIL (never with the password in it).
 */
export async function sendReport(options: SendReportOptions): Promise<SentReport> {
  const config = options.emailConfig ?? {};
  const recipients = [...options.recipients];
  const first = recipients[0];
  if (first === undefined) throw new PulseError('E_MAIL', 'cannot send the report: no recipients');
  const from = config.from ?? first;
  const subject = options.subject ?? reportSubject(options.bucket, options.ok);
  let transport;
  try {
    // Loaded only when there is mail to send: it is most of this package's start-up cost.
    const { default: nodemailer } = await import('nodemailer');
    transport = nodemailer.createTransport(transportOptions(config, options.timeoutMs ?? 60_000));
  } catch (e) {
    throw new PulseError('E_MAIL', mailFailure(config, e), { cause: e });
  }
  try {
    // The original sends the report's lines each ended by CRLF: the report plus one empty line.
    const info = await transport.sendMail({
      from,
      to: recipients.join(', '),
      subject,
      date: options.date ?? new Date(),
      text: `${options.report}\n`,
      envelope: { from, to: recipients },
    });
    return { messageId: String(info.messageId ?? ''), from, recipients, subject };
  } catch (e) {
    throw new PulseError('E_MAIL', mailFailure(config, e), { cause: e });
  } finally {
    transport.close();
  }
}
