// Node built-ins that are costly to import as ESM: `import ... from 'node:http'`
// evaluates every lazy export (pulling in undici), and 'node:fs/promises'
// pulls in readline, ~30 ms on a cold start. process.getBuiltinModule
// (Node >= 22.3) hands back the module without that; older Nodes import it.
import type * as FsPromises from 'node:fs/promises';
import type * as Http from 'node:http';
import type * as Https from 'node:https';

type GetBuiltin = (id: string) => unknown;
const getBuiltin = (process as { getBuiltinModule?: GetBuiltin }).getBuiltinModule?.bind(process);

export async function fsPromises(): Promise<typeof FsPromises> {
  return (getBuiltin?.('node:fs/promises') as typeof FsPromises | undefined) ?? import('node:fs/promises');
}

export async function httpModule(): Promise<typeof Http> {
  return (getBuiltin?.('node:http') as typeof Http | undefined) ?? import('node:http');
}

export async function httpsModule(): Promise<typeof Https> {
  return (getBuiltin?.('node:https') as typeof Https | undefined) ?? import('node:https');
}
