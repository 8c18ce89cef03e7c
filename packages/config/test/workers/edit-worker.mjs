// One edit in its own process, for the concurrency test:
//   node edit-worker.mjs <dist/index.js URL> <where> <task name> <options JSON>
const [, , distUrl, where, name, optionsJson] = process.argv;
const { setTask } = await import(distUrl);
try {
  const result = await setTask(where, { name, period: 60 }, JSON.parse(optionsJson));
  process.stdout.write(JSON.stringify({ changed: result.changed }) + '\n');
} catch (e) {
  process.stderr.write(`${e?.name} ${e?.code}: ${e?.message}\n`);
  process.exit(1);
}
