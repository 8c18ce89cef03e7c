// svcmon demo [dir]: a local monitor to look at, with no cloud account.
// One healthy task, one late, one that never beat; one site up (a loopback
// server that lives as long as the pulse), one down (a closed loopback port).
import { mkdir, readdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, resolve } from 'node:path';
import { CliError, shellWord } from '../errors.js';
import type { Io } from '../_io.js';
import { pulseEventLines } from '../_report.js';

export const DEMO_TITLE = 'svcmon demo';
const TASKS = [
  { name: 'nightly-build', period: 86400, beatAgoSeconds: 5 * 60 },
  { name: 'backup', period: 3600, beatAgoSeconds: 3 * 3600 },
  { name: 'weekly-report', period: 604800, beatAgoSeconds: null },
] as const;

function listen(server: Server): Promise<number> {
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((ok) => {
    server.close(() => ok());
    server.closeAllConnections();
  });
}

/** A loopback port that nothing listens on: taken from the OS, then given back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await close(server);
  return port;
}

/**
 * The command that runs this very svcmon, for the hints: `svcmon` when a bin of that name started
 * it, else this Node and this script (a clone's `node packages/cli/dist/bin.js`, where the PATH's
 * `node` may be another, older one than the Node the scripts installed).
 */
function svcmonCommand(): string {
  const script = process.argv[1] ?? '';
  return basename(script) === 'svcmon' ? 'svcmon' : `${shellWord(process.execPath)} ${shellWord(script)}`;
}

export async function demoCommand(io: Io, dir: string): Promise<number> {
  const { dirStore, readConfig, writeHeartbeat, heartbeatKey, CONFIG_KEY } = await import('@svcmon/store');
  const { setHtml, setTask, setSite } = await import('@svcmon/config');
  const { takePulse } = await import('@svcmon/pulse');
  const c = io.color;
  const path = resolve(dir);
  // As a `where`, a bare name would mean a bucket: show it as ./name.
  const shown = dir.includes('/') || dir.startsWith('.') ? dir : `./${dir}`;

  await mkdir(path, { recursive: true });
  const store = dirStore(path);
  const existing = await readdir(path);
  if (existing.length > 0) {
    // Re-running the demo is fine; overwriting someone's monitor is not.
    const old = await readConfig(store).catch(() => null);
    if (old?.config.html?.title !== DEMO_TITLE) {
      throw new CliError(`${path} is not empty and is not an svcmon demo`, {
        code: 'E_DEMO_DIR',
        hint: 'give the demo a new or empty directory: svcmon demo ./somewhere-else',
      });
    }
    await store.delete(CONFIG_KEY);
    for (const task of TASKS) await store.delete(heartbeatKey(task.name));
  }

  const site = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('svcmon demo: this site is up\n');
  });
  const upPort = await listen(site);
  try {
    const upUrl = `http://127.0.0.1:${upPort}/`;
    const downUrl = `http://127.0.0.1:${await closedPort()}/`;
    const edit = { force: true, skipHtml: true };

    io.out(c.bold(`Creating a demo monitor in ${path}`));
    await setHtml(store, { title: DEMO_TITLE }, edit);
    for (const task of [...TASKS].reverse()) await setTask(store, { name: task.name, period: task.period }, edit);
    await setSite(store, { url: downUrl, timeout: 5 }, edit);
    // The last edit also publishes the dashboard (index.html, style.css, script.js).
    await setSite(store, { url: upUrl, timeout: 5 }, { force: true });
    io.out(`  tasks: ${TASKS.map((t) => t.name).join(', ')}`);
    io.out(`  sites: ${upUrl} (a server inside this process), ${downUrl} (nothing listens there)`);

    const now = Date.now();
    for (const task of TASKS) {
      if (task.beatAgoSeconds === null) continue;
      const beat = await writeHeartbeat(store, task.name, { now: new Date(now - task.beatAgoSeconds * 1000) });
      io.out(`  heartbeat: ${task.name} at ${beat.date}`);
    }
    io.out(`  heartbeat: weekly-report never beat`);
    io.out('');
    io.out(c.bold('Taking a pulse (no e-mail):'));
    const result = await takePulse(store, {
      emailMode: 'none',
      onEvent: (event) => {
        for (const line of pulseEventLines(event, c)) io.out(line);
      },
    });
    if (result.error !== undefined) throw new Error(`the demo pulse could not run: ${result.error}`);

    io.out('');
    io.out(
      `${c.yellow('The pulse failed on purpose:')} backup last beat 3 hours ago with a period of 1 hour (late), ` +
        'weekly-report never beat (missing), and the second site is down. ' +
        '`svcmon pulse` would exit 1 here; `svcmon demo` exits 0 because the failure is the demo.',
    );
    io.out('');
    io.out(`Dashboard: ${resolve(path, 'index.html')}`);
    io.out(`  serve it with: npx http-server ${shown}   or   python3 -m http.server -d ${shown}`);
    const svcmon = svcmonCommand();
    io.out(`Try: ${svcmon} beat ${shown} backup && ${svcmon} pulse ${shown} --no-email`);
    if (svcmon !== 'svcmon') io.out(c.dim(`  (svcmon here is that command: Node ${process.versions.node} and this build of the CLI)`));
    io.out(c.dim('  (the first site lived only as long as the demo: a later pulse finds it down too)'));
    return 0;
  } finally {
    await close(site);
  }
}
