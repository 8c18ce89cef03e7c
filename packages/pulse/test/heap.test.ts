import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const heapModule = fileURLToPath(new URL('../src/heap.ts', import.meta.url));

/**
 * In a Node process of its own (the setting is the process's): the young generation's size
 * (`new_space`: its two semi-spaces, the second committed at the first scavenge) before and after
 * allocating ~100 MB of objects of which a quarter stay alive, with or without
 * limitYoungGeneration() first.
 */
function youngGeneration(limited: boolean): { before: number; after: number } {
  const program = `
    import { getHeapSpaceStatistics } from 'node:v8';
    const { limitYoungGeneration } = await import(${JSON.stringify(heapModule)});
    if (${limited}) limitYoungGeneration();
    const size = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
    const before = size();
    const kept = [];
    for (let i = 0; i < 300000; i++) {
      const o = { key: 'task-' + i + '-beat.json', etag: '"' + i.toString(16).padStart(32, '0') + '"', parts: new Array(8).fill(i).map(String) };
      if (i % 4 === 0) kept.push(o);
    }
    console.log(JSON.stringify({ before, after: size(), kept: kept.length }));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', program], { encoding: 'utf8' });
  return JSON.parse(out) as { before: number; after: number };
}

describe('limitYoungGeneration', () => {
  it('keeps the young generation at its starting size, where V8 alone grows it', () => {
    const unlimited = youngGeneration(false);
    expect(unlimited.after).toBeGreaterThan(2 * unlimited.before);
    const limited = youngGeneration(true);
    expect(limited.after).toBeLessThanOrEqual(2 * limited.before);
  });
});
