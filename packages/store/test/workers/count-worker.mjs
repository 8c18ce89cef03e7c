// Several increments of one counter object in their own process, for the compare-and-swap test:
//   node count-worker.mjs <dist/index.js URL> <where> <times> <store options JSON> [progress]
// With `progress`, a "." on stdout after each update (for a test that kills it midway).
const [, , distUrl, where, times, optionsJson, progress] = process.argv;
const { openStore, updateObject } = await import(distUrl);
const store = openStore(where, JSON.parse(optionsJson));
let written = 0;
try {
  for (let i = 0; i < Number(times); i++) {
    const r = await updateObject(
      store,
      'counter.json',
      (obj) => (obj === null ? { n: 0, by: [] } : JSON.parse(obj.body.toString('utf8'))),
      (c) => ({ write: JSON.stringify({ n: c.n + 1, by: [...c.by, process.pid] }), result: c.n + 1 }),
      { put: { contentType: 'application/json' } },
    );
    if (r.written) written++;
    if (progress === 'progress') process.stdout.write('.');
  }
  process.stdout.write(`${JSON.stringify({ written })}\n`);
} catch (e) {
  process.stderr.write(`${e?.name} ${e?.code}: ${e?.message}\n`);
  process.exit(1);
}
