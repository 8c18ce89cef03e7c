import { defineConfig } from 'tsup';
import { base } from '../../tsup.base';

export default defineConfig([
  // The library: ESM + CJS + types.
  base({ entry: ['src/index.ts'], clean: false }),
  // The `svcmon-beat` executable: ESM only, no types.
  base({ entry: ['src/bin.ts'], format: ['esm'], dts: false, clean: false }),
]);
