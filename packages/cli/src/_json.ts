// JSON output: rktd values that JSON has no word for become plain JSON, and
// nothing that looks like a secret is ever printed.

const SECRET_KEYS = new Set(['password', 'pass', 'secret', 'secretAccessKey', 'sessionToken']);

function replacer(this: unknown, key: string, value: unknown): unknown {
  if (SECRET_KEYS.has(key)) return undefined;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [keyName(k), v]));
  if (typeof value === 'object' && value !== null) {
    const ctor = (value as { constructor?: { name?: string } }).constructor?.name;
    const v = value as Record<string, unknown>;
    if (ctor === 'Sym' || ctor === 'Keyword') return v.name;
    if (ctor === 'Flonum') return v.value;
    if (ctor === 'Char') return v.char;
    if (ctor === 'Rational') return `${String(v.num)}/${String(v.den)}`;
    if (ctor === 'Vector') return v.items;
    if (ctor === 'RHash') return v.entries;
    if (value instanceof Error) return { name: value.name, message: value.message };
  }
  return value;
}

function keyName(k: unknown): string {
  if (typeof k === 'object' && k !== null && 'name' in k) return String((k as { name: unknown }).name);
  return String(k);
}

export function toJson(value: unknown): string {
  return JSON.stringify(value, replacer, 2);
}
