// A real SMTP server on loopback (smtp-server) that keeps every message it
// accepts, parsed with mailparser, plus the raw bytes and the SMTP envelope.
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

const certDir = fileURLToPath(new URL('../certs/', import.meta.url));
/** PEM of the self-signed test certificate (localhost, 127.0.0.1) the TLS modes use. */
export const TEST_CERT_FILE = `${certDir}localhost.crt`;
export const TEST_KEY_FILE = `${certDir}localhost.key`;

export interface SmtpMessage {
  /** MAIL FROM. */
  from: string;
  /** RCPT TO, in order. */
  to: string[];
  /** The DATA part as received (CRLF line endings). */
  raw: string;
  parsed: ParsedMail;
  /** Name the client announced in EHLO/HELO. */
  clientHostname: string;
  /** Whether the session was encrypted (implicit TLS or STARTTLS). */
  secure: boolean;
  /** The user that authenticated, if any. */
  user?: string;
}

export interface StartSmtpOptions {
  /** Implicit TLS from the first byte (port-465 style). */
  secure?: boolean;
  /** Offer STARTTLS (port-587 style). Default false (plain only). */
  starttls?: boolean;
  /** Require AUTH PLAIN/LOGIN with these credentials. */
  auth?: { user: string; pass: string };
  /** Answer RCPT TO for these addresses (case-insensitive) with `550 5.1.1 <address>: mailbox unavailable`. */
  rejectRecipients?: readonly string[];
}

export interface TestSmtp {
  port: number;
  host: '127.0.0.1';
  messages: SmtpMessage[];
  /** Failed AUTH attempts, by user name. */
  authFailures: string[];
  /** RCPT TO addresses refused (rejectRecipients), in order. */
  refusedRecipients: string[];
  /** Resolves when `count` messages have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<SmtpMessage[]>;
  close(): Promise<void>;
}

export async function startSmtp(options: StartSmtpOptions = {}): Promise<TestSmtp> {
  const messages: SmtpMessage[] = [];
  const authFailures: string[] = [];
  const refusedRecipients: string[] = [];
  const refuse = new Set((options.rejectRecipients ?? []).map((a) => a.toLowerCase()));
  const waiters: Array<() => void> = [];
  const tls = options.secure || options.starttls;
  const serverOptions: SMTPServerOptions = {
    secure: Boolean(options.secure),
    disabledCommands: [...(tls ? [] : ['STARTTLS']), ...(options.auth ? [] : ['AUTH'])],
    authOptional: !options.auth,
    allowInsecureAuth: false,
    logger: false,
    ...(tls ? { key: readFileSync(TEST_KEY_FILE), cert: readFileSync(TEST_CERT_FILE) } : {}),
    onAuth(auth, _session, callback) {
      const want = options.auth;
      if (want && auth.username === want.user && auth.password === want.pass) return callback(null, { user: auth.username });
      authFailures.push(auth.username ?? '');
      return callback(new Error('Invalid username or password'));
    },
    onRcptTo(address, _session, callback) {
      if (!refuse.has(address.address.toLowerCase())) return callback();
      refusedRecipients.push(address.address);
      const err = Object.assign(new Error(`<${address.address}>: mailbox unavailable`), { responseCode: 550 });
      return callback(err);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw).then(
          (parsed) => {
            messages.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              raw,
              parsed,
              clientHostname: session.hostNameAppearsAs,
              secure: Boolean(session.secure),
              ...(typeof session.user === 'string' ? { user: session.user } : {}),
            });
            for (const w of waiters.splice(0)) w();
            callback();
          },
          (err: Error) => callback(err),
        );
      });
    },
  };
  const server = new SMTPServer(serverOptions);
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    host: '127.0.0.1',
    messages,
    authFailures,
    refusedRecipients,
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} messages, got ${messages.length}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
      return messages;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
