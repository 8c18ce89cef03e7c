// One monitor's pulse in its own process, for the several-monitors scenario:
//   node pulse-worker.mjs <@svcmon/pulse dist URL> <options JSON>
// options: { where (a directory, or a bucket reached through the AWS_* environment), monitor, now (ISO), smtpPort, hooks, remind, cutOff (URL suffix it cannot
// reach), stallOnClaim (stop dead once it took a message, for a test that SIGKILLs it) }.
// Prints one line of JSON: what the pulse did.
import { writeSync } from 'node:fs';

const [, , distUrl, optionsJson] = process.argv;
const o = JSON.parse(optionsJson);
const { takePulse, siteRequest } = await import(distUrl);
const cutOffRequest = (url, options) => {
  if (o.cutOff && url.href.endsWith(o.cutOff)) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  return siteRequest(url, options);
};
const now = new Date(o.now);
const result = await takePulse(o.where, {
  emailMode: 'change',
  remind: o.remind,
  emailConfig: { server: '127.0.0.1', port: o.smtpPort },
  webhooks: o.hooks,
  selfName: o.monitor,
  beat: true,
  now: () => now,
  siteRequest: cutOffRequest,
  onEvent: (e) => {
    if (o.stallOnClaim && e.type === 'notification' && e.notification) {
      writeSync(1, 'claimed\n');
      // Stuck for good (until the test kills it): nothing after the claim happens.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    }
  },
});
process.stdout.write(
  `${JSON.stringify({
    ok: result.ok,
    notification: result.notification?.kind ?? null,
    wentDown: result.notification?.wentDown.map((c) => c.id) ?? [],
    mail: result.mail?.sent ?? null,
    ledger: result.ledger ?? null,
    beat: result.beat?.written ?? null,
    error: result.error ?? null,
  })}\n`,
);
