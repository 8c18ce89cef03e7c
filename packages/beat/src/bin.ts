#!/usr/bin/env node
// svcmon-beat <bucket> <task>: the original's `beat` command line.
// Kept light: a beat runs from cron and services many times a day, so the
// cold start matters. Node's compile cache (Node >= 22.1) is switched on
// before the store is loaded (NODE_DISABLE_COMPILE_CACHE=1 turns it off).
import module from 'node:module';

module.enableCompileCache?.();
// process.getBuiltinModule skips evaluating node:util's ESM namespace (~30 internal modules).
const { parseArgs } =
  (process as { getBuiltinModule?: (id: 'node:util') => typeof import('node:util') }).getBuiltinModule?.('node:util') ??
  (await import('node:util'));

const USAGE = `usage: svcmon-beat [--region R] [--endpoint URL] <bucket> <task>

Record a heartbeat for <task>: writes <task>-beat.json to <bucket>.
<bucket> is a bucket name, s3://bucket/prefix, or a local folder (./dir, /path, file: URL).

  --region R       the bucket's region (default: AWS_REGION, else asked of S3)
  --endpoint URL   an S3-compatible endpoint (default: AWS_ENDPOINT_URL_S3, else AWS)
  --help           show this help
`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        region: { type: 'string' },
        endpoint: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    process.stderr.write(`svcmon-beat: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const [where, task, ...extra] = parsed.positionals;
  if (where === undefined || task === undefined || extra.length > 0) {
    process.stderr.write(`svcmon-beat: expected 2 arguments, <bucket> and <task>, got ${parsed.positionals.length}\n${USAGE}`);
    return 2;
  }
  if (task === '') {
    process.stderr.write('svcmon-beat: the task name is empty\n');
    return 2;
  }
  try {
    const { openStore, writeHeartbeat } = await import('@svcmon/store');
    const store = openStore(where, {
      ...(parsed.values.region === undefined ? {} : { region: parsed.values.region }),
      ...(parsed.values.endpoint === undefined ? {} : { endpoint: parsed.values.endpoint }),
    });
    await writeHeartbeat(store, task);
    return 0;
  } catch (e) {
    const err = e as { name?: string; code?: string; message?: string };
    process.stderr.write(`svcmon-beat: ${err.message ?? String(e)}\n`);
    if (err.name === 'StoreError') return err.code === 'E_BAD_WHERE' ? 2 : 1;
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`svcmon-beat: unexpected error, please report it: ${String(e)}\n`);
    process.exitCode = 1;
  },
);
