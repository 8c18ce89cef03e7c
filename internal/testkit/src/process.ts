// A Node script in a process of its own, for tests of what several processes do at once.
import { spawn } from 'node:child_process';

export interface NodeRun {
  code: number | null;
  out: string;
  err: string;
}

/** Runs `node <args…>` with this test's Node; resolves when it ends, with what it printed. */
export function runNode(args: string[]): Promise<NodeRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}
