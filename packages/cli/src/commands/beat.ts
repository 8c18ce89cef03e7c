// svcmon beat <where> <task>
import type { Io } from '../_io.js';
import { storeOptions, type StoreFlags } from '../_options.js';

export async function beatCommand(io: Io, where: string, task: string, flags: StoreFlags): Promise<number> {
  const [{ beat }, { openStore }] = await Promise.all([import('@svcmon/beat'), import('@svcmon/store')]);
  const heartbeat = await beat(openStore(where, storeOptions(flags)), task);
  // Silent unless someone is watching: cron mails any output of a job.
  if (io.stdout.isTTY) io.out(`${task}: heartbeat recorded at ${heartbeat.date} (${heartbeat.seconds})`);
  return 0;
}
