// The one build configuration every package reuses: ESM + CJS + types.
// A change of bundler is a change of this file only.
import type { Options } from 'tsup';

export function base(overrides: Options = {}): Options {
  return {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: false,
    target: 'node22',
    platform: 'node',
    splitting: false,
    treeshake: true,
    shims: false,
    ...overrides,
  };
}
