// svcmon config pause-task <where> <name> [--until T], svcmon config resume-task <where> <name>
import type { Io } from '../_io.js';
import { storeOptions, type StoreFlags } from '../_options.js';

interface Flags extends StoreFlags {
  skipHtml?: boolean;
  until?: number;
}

export async function pauseTask(io: Io, where: string, name: string, flags: Flags): Promise<number> {
  const { openStore } = await import('@svcmon/store');
  const { pauseTask } = await import('@svcmon/config');
  const { racketDate } = await import('@svcmon/pulse');
  const store = openStore(where, storeOptions(flags));
  const { changed } = await pauseTask(store, name, {
    ...(flags.until !== undefined ? { until: flags.until } : {}),
    ...(flags.skipHtml ? { skipHtml: true } : {}),
  });
  const until = flags.until === undefined ? 'until resumed' : `until ${racketDate(flags.until)} (UTC)`;
  io.out(`task ${JSON.stringify(name)} ${changed ? 'paused' : 'was already paused'} ${until} in ${store.location}`);
  return 0;
}

export async function resumeTask(io: Io, where: string, name: string, flags: Flags): Promise<number> {
  const { openStore } = await import('@svcmon/store');
  const { resumeTask } = await import('@svcmon/config');
  const store = openStore(where, storeOptions(flags));
  const { changed } = await resumeTask(store, name, flags.skipHtml ? { skipHtml: true } : {});
  io.out(`task ${JSON.stringify(name)} ${changed ? 'resumed' : 'was not paused'} in ${store.location}`);
  return 0;
}
