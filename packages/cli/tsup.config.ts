import { defineConfig } from 'tsup';
import { base } from '../../tsup.base';

export default defineConfig([
  // The library entry (main() for tests and embedding): ESM + CJS + types.
  base({ entry: ["src/index.ts"], clean: false }),
  // The `svcmon` executable: ESM only, split so that each command (and the
  // libraries it needs) is a chunk loaded only when that command runs.
  base({ entry: ['src/bin.ts'], format: ['esm'], dts: false, clean: false, splitting: true }),
]);
