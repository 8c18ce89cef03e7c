// The example alert rules of the README: valid for Prometheus (`promtool check rules`), firing
// when they say (`promtool test rules` on series of the metrics renderMetrics writes), and
// naming only metrics renderMetrics writes.
import { readFileSync } from 'node:fs';
import { mustRunPromtoolTests, parseExposition, promtoolCheckRules, promtoolTestRules } from '@svcmon/testkit';
import { describe, expect, it } from 'vitest';
import { renderMetrics, type PulseResult } from '../src/index.js';

// In CI a missing promtool fails these tests; elsewhere they are skipped (apt-get install prometheus).
const RUN = mustRunPromtoolTests();

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const RULES = /Example alert rules[^]*?```yaml\n([^]*?)```/.exec(README)?.[1] ?? '';

/** A pulse with one of everything, so that every metric appears. */
const EVERYTHING: PulseResult = {
  ok: false,
  bucket: 'my-bucket',
  startedAt: new Date(0),
  ms: 10,
  recipients: [],
  report: '',
  sites: [{ url: 'https://shop.example.com/', ok: true, status: 200, redirects: 0, timeout: 30, ms: 5, certExpiry: 864000 }],
  tasks: [{ name: 'backup', ok: false, state: 'late', period: 3600, lastBeat: { seconds: 1 }, self: false, ms: 1 }],
};

const M = 'bucket="my-bucket",monitor="monitor-1"';
const TEST = `
rule_files: [rules.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      # backup goes down at minute 5 and stays down; nightly stays up
      - series: 'svcmon_task_up{${M},task="backup"}'
        values: '1 1 1 1 1 0x70'
      - series: 'svcmon_task_up{${M},task="nightly"}'
        values: '1x75'
      # one certificate expires 10 days after time 0, the other in 100
      - series: 'svcmon_site_certificate_expiry_timestamp_seconds{${M},url="https://shop.example.com/"}'
        values: '864000x100'
      - series: 'svcmon_site_certificate_expiry_timestamp_seconds{${M},url="https://ok.example.com/"}'
        values: '8640000x100'
      # monitor-1 pulses every minute until minute 10, then stops (the collector serves its last file)
      - series: 'svcmon_pulse_timestamp_seconds{${M}}'
        values: '0+60x10 600x65'
      - series: 'svcmon_pulse_success{${M}}'
        values: '1x75'
      # monitor-2 keeps running but cannot do its job from minute 2
      - series: 'svcmon_pulse_timestamp_seconds{bucket="my-bucket",monitor="monitor-2"}'
        values: '0+60x75'
      - series: 'svcmon_pulse_success{bucket="my-bucket",monitor="monitor-2"}'
        values: '1 1 0x73'
    alert_rule_test:
      - eval_time: 14m
        alertname: SvcmonTaskDown
        exp_alerts: []
      - eval_time: 16m
        alertname: SvcmonTaskDown
        exp_alerts:
          - exp_labels: { ${M.replace(/=/g, ': ').replace(/,/g, ', ')}, task: backup }
            exp_annotations: { summary: 'Task backup of my-bucket has not been healthy for 10 minutes' }
      - eval_time: 50m
        alertname: SvcmonCertificateExpiresSoon
        exp_alerts: []
      - eval_time: 90m
        alertname: SvcmonCertificateExpiresSoon
        exp_alerts:
          - exp_labels: { ${M.replace(/=/g, ': ').replace(/,/g, ', ')}, url: 'https://shop.example.com/' }
            exp_annotations: { summary: 'The certificate of https://shop.example.com/ expires in 9d 22h 30m 0s' }
      - eval_time: 10m
        alertname: SvcmonPulseNotRunning
        exp_alerts: []
      - eval_time: 50m
        alertname: SvcmonPulseNotRunning
        exp_alerts:
          - exp_labels: { bucket: my-bucket, monitor: monitor-2 }
            exp_annotations: { summary: 'The svcmon pulse monitor-2 of my-bucket has not done its job recently' }
      - eval_time: 60m
        alertname: SvcmonPulseNotRunning
        exp_alerts:
          - exp_labels: { ${M.replace(/=/g, ': ').replace(/,/g, ', ')} }
            exp_annotations: { summary: 'The svcmon pulse monitor-1 of my-bucket has not done its job recently' }
          - exp_labels: { bucket: my-bucket, monitor: monitor-2 }
            exp_annotations: { summary: 'The svcmon pulse monitor-2 of my-bucket has not done its job recently' }
`;

describe('the README alert rules', () => {
  it('name only metrics that renderMetrics writes', () => {
    expect(RULES).toContain('alert: SvcmonTaskDown');
    const written = new Set(parseExposition(renderMetrics(EVERYTHING)).keys());
    const named = [...new Set(RULES.match(/\bsvcmon_[a-z_]+/g))];
    expect(named.length).toBeGreaterThanOrEqual(4);
    expect(named.filter((n) => !written.has(n))).toEqual([]);
    // The series of the rule test below are of these metrics too.
    expect([...new Set(TEST.match(/\bsvcmon_[a-z_]+/g))].filter((n) => !written.has(n))).toEqual([]);
  });

  it.skipIf(!RUN)('pass promtool check rules (skipped only outside CI without promtool)', async () => {
    const check = await promtoolCheckRules(RULES);
    expect(check.output).toContain('SUCCESS: 3 rules found');
    expect(check.code).toBe(0);
  });

  it.skipIf(!RUN)('fire when they say: promtool test rules (skipped only outside CI without promtool)', async () => {
    const test = await promtoolTestRules(RULES, TEST);
    expect(test.output).toContain('SUCCESS');
    expect(test.code).toBe(0);
  });
});
