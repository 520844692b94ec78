// Option values from the command line: numbers, lists, durations, choices and storage options. Parsers throw
// commander's InvalidArgumentError, which commander reports naming the option ("option '--k <n>' argument 'x' is
// invalid. expected …") and which exits 2 as a usage error.

import { InvalidArgumentError as OptionValueError } from "commander";
import type { StorageOptions } from "../../format/store/object-store.js";
import { UsageError } from "./errors.js";

/** A parser for an integer option of at least `min`. */
export function integer(min = 0): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^[+-]?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
      throw new OptionValueError(`expected an integer${min > 0 ? ` ≥ ${min}` : min === 0 ? " ≥ 0" : ""}`);
    }
    return n;
  };
}

/** A parser for a finite number option. */
export function number(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) throw new OptionValueError("expected a number");
  return n;
}

/** A parser for a comma-separated list ("a,b,c"); empty items are refused. */
export function list(value: string): string[] {
  const items = value.split(",").map((s) => s.trim());
  if (items.some((s) => s === "")) throw new OptionValueError("expected a comma-separated list such as a,b,c");
  return items;
}

/** A parser for a comma-separated list of numbers ("0.5,0.5,0.5"). */
export function numberList(value: string): number[] {
  return list(value).map((s) => {
    const n = Number(s);
    if (!Number.isFinite(n)) throw new OptionValueError("expected comma-separated numbers such as 0.5,0.5,0.5");
    return n;
  });
}

/** A parser accepting one of `choices`. */
export function choice<T extends string>(choices: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(choices as readonly string[]).includes(value)) throw new OptionValueError(`expected one of ${choices.join(", ")}`);
    return value as T;
  };
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Milliseconds of a duration such as "90s", "10m", "12h", "7d", "2w" or "0". */
export function parseDuration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)?$/.exec(value.trim());
  if (m === null || (m[2] === undefined && Number(m[1]) !== 0)) {
    throw new OptionValueError("expected a duration such as 30s, 10m, 12h, 7d, 2w (or 0)");
  }
  return Number(m[1]) * UNIT_MS[m[2] ?? "ms"]!;
}

/** A point in time: a duration ago ("7d") or an ISO date ("2024-05-01", "2024-05-01T12:00:00Z"). */
export function parseTimeAgo(value: string): Date {
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const d = new Date(value);
    if (Number.isNaN(d.getTime())) throw new OptionValueError("expected an ISO date such as 2024-05-01 or a duration such as 7d");
    return d;
  }
  return new Date(Date.now() - parseDuration(value));
}

/** Options every command accepts (storage for s3:// URIs). */
export interface GlobalOptions {
  endpoint?: string;
  region?: string;
  pathStyle?: boolean;
}

/** StorageOptions from the global options; credentials come from the AWS_* environment only (never argv). */
export function storageOptions(g: GlobalOptions): StorageOptions {
  return {
    ...(g.endpoint !== undefined ? { endpoint: g.endpoint } : {}),
    ...(g.region !== undefined ? { region: g.region } : {}),
    ...(g.pathStyle === true ? { forcePathStyle: true } : {}),
  };
}

/** A version argument: a number, or a tag name (anything else). */
export function versionOrTag(value: string): number | string {
  return /^\d+$/.test(value) ? Number(value) : value;
}

/** Throws a UsageError unless exactly one of `given` is set. */
export function exactlyOne(given: Readonly<Record<string, unknown>>, what: string): string {
  const set = Object.entries(given).filter(([, v]) => v !== undefined && v !== false);
  if (set.length !== 1) {
    const names = Object.keys(given).map((k) => `--${k}`).join(", ");
    throw new UsageError(`${what}: give exactly one of ${names}${set.length > 1 ? ` (got ${set.map(([k]) => `--${k}`).join(" and ")})` : ""}`);
  }
  return set[0]![0];
}
