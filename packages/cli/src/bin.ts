#!/usr/bin/env node
// The `svcmon` executable: a shim around main() so that the router and every
// command stay importable (and testable) without side effects.
import { main } from './main.js';

// `svcmon pulse x | head -3`: a reader that went away is not an error, and
// the command still finishes its job (mail, --beat) and its exit code.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
    throw error;
  });
}

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
