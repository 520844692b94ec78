// Dates and timestamps in expressions: exact ISO parsing to epoch nanoseconds (not Date.parse, whose formats
// and zones vary; no zone means UTC), unit conversion, and printing.

import * as A from "apache-arrow";

const NS_PER_DAY = 86_400_000_000_000n;
const NS_PER_UNIT: Record<A.TimeUnit, bigint> = {
  [A.TimeUnit.SECOND]: 1_000_000_000n,
  [A.TimeUnit.MILLISECOND]: 1_000_000n,
  [A.TimeUnit.MICROSECOND]: 1_000n,
  [A.TimeUnit.NANOSECOND]: 1n,
};

/** Nanoseconds per stored unit of a date or timestamp type. */
export function nsPerUnit(type: A.DataType): bigint {
  if (type.typeId === A.Type.Date) return (type as A.Date_).unit === A.DateUnit.DAY ? NS_PER_DAY : 1_000_000n;
  return NS_PER_UNIT[(type as A.Timestamp).unit];
}

/** True when the type's values are held as JS numbers (date32 days); false for 64-bit ones. */
export function temporalIsNumber(type: A.DataType): boolean {
  return type.typeId === A.Type.Date && (type as A.Date_).unit === A.DateUnit.DAY;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** [year, month, day] of a day number (civil_from_days). */
export function civilFromDays(z: number): [number, number, number] {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

function daysInMonth(y: number, m: number): number {
  return daysFromCivil(m === 12 ? y + 1 : y, m === 12 ? 1 : m + 1, 1) - daysFromCivil(y, m, 1);
}

const TEMPORAL_RE =
  /^\s*([+-]?\d{4,6})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:\s*(Z|[+-]\d{2}(?::?\d{2})?))?)?\s*$/i;

/** Epoch nanoseconds of an ISO-like date or timestamp text; undefined when it is not one or names no real day. */
export function parseTemporal(text: string): bigint | undefined {
  const m = TEMPORAL_RE.exec(text);
  if (m === null) return undefined;
  const [y, mo, d, h = 0, mi = 0, s = 0] = [1, 2, 3, 4, 5, 6].map((i) => (m[i] === undefined ? undefined : Number(m[i])));
  if (mo! < 1 || mo! > 12 || d! < 1 || d! > daysInMonth(y!, mo!) || h > 23 || mi > 59 || s > 59) return undefined;
  const frac = BigInt((m[7] ?? "").padEnd(9, "0"));
  const zone = zoneOffsetMinutes(m[8]);
  if (zone === undefined) return undefined;
  const seconds = BigInt(h * 3600 + mi * 60 + s - zone * 60);
  return BigInt(daysFromCivil(y!, mo!, d!)) * NS_PER_DAY + seconds * 1_000_000_000n + frac;
}

function zoneOffsetMinutes(zone: string | undefined): number | undefined {
  if (zone === undefined || zone.toUpperCase() === "Z") return 0;
  const digits = zone.slice(1).replace(":", "");
  const h = Number(digits.slice(0, 2));
  const mi = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (h > 23 || mi > 59) return undefined;
  return (zone[0] === "-" ? -1 : 1) * (h * 60 + mi);
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** Epoch nanoseconds as a stored value of `type`, rounded down (what a cast does). */
export function nsToStored(ns: bigint, type: A.DataType): number | bigint {
  const q = floorDiv(ns, nsPerUnit(type));
  return temporalIsNumber(type) ? Number(q) : q;
}

/**
 * Epoch nanoseconds as a value to compare stored values of `type` with. A value between two units becomes
 * floor + 0.5: stored values are whole units, so every comparison comes out as with the exact value.
 */
export function nsToComparable(ns: bigint, type: A.DataType): number | bigint {
  const per = nsPerUnit(type);
  const q = floorDiv(ns, per);
  if (q * per !== ns) return Number(q) + 0.5;
  return temporalIsNumber(type) ? Number(q) : q;
}

/** Epoch milliseconds (how Arrow JS shows dates and timestamps) as a value to compare stored values with. */
export function msToComparable(ms: number | bigint, type: A.DataType): number | bigint {
  if (typeof ms === "bigint") return nsToComparable(ms * 1_000_000n, type);
  if (Number.isNaN(ms) || !Number.isFinite(ms)) return ms;
  if (Number.isInteger(ms)) return nsToComparable(BigInt(ms) * 1_000_000n, type);
  const v = (ms * 1e6) / Number(nsPerUnit(type));
  if (!Number.isInteger(v)) return Math.floor(v) + 0.5;
  return temporalIsNumber(type) ? v : BigInt(v);
}

/** A stored value of `type` converted to another temporal type (rounded down). */
export function convertStored(v: number | bigint, from: A.DataType, to: A.DataType): number | bigint {
  return nsToStored(BigInt(v) * nsPerUnit(from), to);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/** 'YYYY-MM-DD' of a day number. */
export function formatDate(days: number): string {
  const [y, m, d] = civilFromDays(days);
  const year = y < 0 ? `-${pad(-y, 4)}` : y > 9999 ? `+${y}` : pad(y, 4);
  return `${year}-${pad(m, 2)}-${pad(d, 2)}`;
}

/** 'YYYY-MM-DD HH:MM:SS[.fraction]' of epoch nanoseconds; the fraction drops trailing zeros. */
export function formatNs(ns: bigint): string {
  const days = floorDiv(ns, NS_PER_DAY);
  const inDay = ns - days * NS_PER_DAY;
  const secs = Number(inDay / 1_000_000_000n);
  const frac = inDay % 1_000_000_000n;
  const time = `${pad(Math.floor(secs / 3600), 2)}:${pad(Math.floor(secs / 60) % 60, 2)}:${pad(secs % 60, 2)}`;
  const fraction = frac === 0n ? "" : `.${frac.toString().padStart(9, "0").replace(/0+$/, "")}`;
  return `${formatDate(Number(days))} ${time}${fraction}`;
}

/** Text of a stored date (just the day) or timestamp value. */
export function formatTemporal(v: number | bigint, type: A.DataType): string {
  if (temporalIsNumber(type)) return formatDate(v as number);
  const ns = BigInt(v) * nsPerUnit(type);
  return type.typeId === A.Type.Date ? formatDate(Number(floorDiv(ns, NS_PER_DAY))) : formatNs(ns);
}
