import { readdirSync } from 'node:fs';
import { FIXTURES, fixture } from '@svcmon/testkit';

export { fixture };

/** Every config.rktd the original wrote (and the seed). */
export function fixtureConfigs(): string[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.rktd') && f !== 'email-config.rktd')
    .sort();
}

/** The heartbeat fixtures and the instant each stands for. */
export function fixtureBeats(): Array<{ file: string; text: string; now: Date }> {
  return readdirSync(FIXTURES)
    .filter((f) => /-beat(\.stale)?\.json$/.test(f))
    .sort()
    .map((file) => {
      const text = fixture(file);
      const { seconds } = JSON.parse(text) as { seconds: number };
      return { file, text, now: new Date(seconds * 1000) };
    });
}
