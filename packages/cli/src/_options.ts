// The store options every command that talks to a bucket accepts. (No
// commander here: `svcmon beat` loads this without the parser.)

export interface StoreFlags {
  region?: string;
  endpoint?: string;
  acl?: boolean;
}

/** The StoreOptions a command passes on: only what the user actually gave. */
export function storeOptions(flags: StoreFlags): {
  region?: string;
  endpoint?: string;
  publicRead?: boolean;
} {
  return {
    ...(flags.region !== undefined ? { region: flags.region } : {}),
    ...(flags.endpoint !== undefined ? { endpoint: flags.endpoint } : {}),
    ...(flags.acl === false ? { publicRead: false } : {}),
  };
}
