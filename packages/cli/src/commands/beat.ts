// svcmon beat <where> <task>
import type { Io } from '../_io.js';
import { storeOptions, type StoreFlags } from '../_options.js';

export async function beatCommand(io: Io, where: string, task: string, flags: StoreFlags): Promise<number> {
  const { beat } = await import('@svcmon/beat');
  const heartbeat = await beat(where, task, storeOptions(flags));
  io.out(`${task}: heartbeat recorded at ${heartbeat.date} (${heartbeat.seconds})`);
  return 0;
}
