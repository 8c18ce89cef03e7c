// One edit in its own process, for the concurrency test:
//   node edit-worker.mjs <dist/index.js URL> <where> <task name> <options JSON: the edit's, and `store` for openStore>
const [, , distUrl, where, name, optionsJson] = process.argv;
const { setTask } = await import(distUrl);
const { openStore } = await import('@svcmon/store');
try {
  const { store, ...options } = JSON.parse(optionsJson);
  const result = await setTask(openStore(where, store ?? {}), { name, period: 60 }, options);
  process.stdout.write(JSON.stringify({ changed: result.changed }) + '\n');
} catch (e) {
  process.stderr.write(`${e?.name} ${e?.code}: ${e?.message}\n`);
  process.exit(1);
}
