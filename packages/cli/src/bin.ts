#!/usr/bin/env node
// The `svcmon` executable: a shim around main() so that the router and every
// command stay importable (and testable) without side effects.
import { main } from './main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // main() maps every error to an exit code; reaching this is a bug in main itself.
    process.stderr.write(`svcmon: internal error: ${String(error)}\n`);
    process.exitCode = 70;
  },
);
