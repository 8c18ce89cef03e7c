// What a root monitor pays for objects that are not its own: S3 requests of a warm pulse over
// 1,000 tasks at the bucket's root, alone (a flat bucket) and beside N objects under another
// prefix (default 100,000: an archive, other teams' monitors), against listing the whole
// bucket (what the pulse listed before it listed one level), in one run. s3rver on loopback
// behind the testkit proxy, which answers ListObjectsV2 (delimiter included) and counts
// requests. Build first:
//   pnpm --filter @svcmon/pulse --filter @svcmon/testkit build
//   node bench/unrelated.bench.mjs [objects]
const { startS3 } = await import(new URL('../../../internal/testkit/src/s3.ts', import.meta.url).href);
const { checkPulse } = await import('@svcmon/pulse');
const { formatHeartbeat, heartbeatKey, openStore, parseConfig } = await import('@svcmon/store');

const TASKS = 1000;
const unrelated = Number(process.argv[2] ?? 100_000);
const s3 = await startS3({ buckets: ['flat', 'shared'], record: false });
const options = { endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: s3.credentials, publicRead: false };
const names = Array.from({ length: TASKS }, (_, i) => `task-${String(i).padStart(4, '0')}`);
const config = parseConfig(`#hash((period . 3600) (tasks . (${names.map((n) => `#hash((name . "${n}"))`).join(' ')})))\n`, 'config.rktd');
const now = new Date();
const beats = names.map((n) => ({ key: heartbeatKey(n), body: formatHeartbeat(now), contentType: 'application/json' }));

const counted = async (fn) => {
  s3.resetCounts();
  const started = performance.now();
  await fn();
  return { ...s3.counts, s: (performance.now() - started) / 1000 };
};
const line = (what, c) => console.log(`${what.padEnd(80)} ${String(c.LIST).padStart(4)} LIST ${String(c.GET).padStart(5)} GET ${String(c.PUT).padStart(3)} PUT  ${c.s.toFixed(2)} s`);

for (const bucket of ['flat', 'shared']) {
  await s3.writeObjects(bucket, beats);
  if (bucket === 'shared') {
    await s3.writeObjects(bucket, (function* () {
      for (let i = 0; i < unrelated; i++) yield { key: `archive/${String(i).padStart(6, '0')}.json`, body: '{}' };
    })());
  }
  const store = openStore(`s3://${bucket}/`, options);
  await checkPulse({ store, config }, { now }); // cold: remembers what it read
  const label = bucket === 'flat' ? `${TASKS} tasks, flat bucket` : `${TASKS} tasks + ${unrelated.toLocaleString('en')} objects under archive/`;
  line(`${label}: whole-bucket listing (before)`, await counted(async () => {
    for await (const _ of store.list('')) void _;
  }));
  line(`${label}: warm pulse (after)`, await counted(() => checkPulse({ store, config }, { now })));
}
await s3.stop();
