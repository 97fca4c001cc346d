/**
 * One spelling for a server variable, so my.cnf and SHOW GLOBAL VARIABLES
 * compare equal: my.cnf allows '-' for '_', size suffixes and ON/TRUE.
 */
export function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/-/g, '_');
}

const UNITS: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

export function normalizeValue(value: string): string {
  const v = value.trim().replace(/^(['"])(.*)\1$/, '$2');
  const size = /^(\d+)([kmgt])$/i.exec(v);
  if (size) return String(Number(size[1]) * (UNITS[size[2]!.toLowerCase()] ?? 1));
  if (/^(on|true|yes)$/i.test(v)) return '1';
  if (/^(off|false|no)$/i.test(v)) return '0';
  return v;
}
