// Per-page statistics (null count, min, max) that let a scan skip pages a predicate cannot match.
// 64-bit integers are kept as decimal strings and non-finite floats as "Infinity"/"-Infinity" so JSON holds them.

import * as A from "apache-arrow";
import { isValid } from "./gather.js";
import type { PageStats } from "./layout.js";
import { hasOrderStats } from "./types.js";

/** Strings longer than this are not kept as min/max (a truncated max would be wrong). */
const MAX_STAT_STRING = 64;

type Scalar = number | bigint | string | boolean;

function toJson(v: Scalar): number | string | boolean {
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number" && !Number.isFinite(v)) return v > 0 ? "Infinity" : "-Infinity";
  return v;
}

/** Turns a stored min/max back into a comparable value for `type` (bigint for 64-bit kinds). */
export function statFromJson(type: A.DataType, v: number | string | boolean): Scalar {
  if (typeof v === "string") {
    if (type.typeId === A.Type.Float) return v === "Infinity" ? Infinity : -Infinity;
    if (type.typeId !== A.Type.Utf8 && type.typeId !== A.Type.LargeUtf8) return BigInt(v);
  }
  return v;
}

/** Statistics of contiguous `data`. */
export function computeStats(data: A.Data): PageStats {
  const stats: PageStats = { nullCount: data.nullCount };
  if (!hasOrderStats(data.type) || data.nullCount === data.length) return stats;
  const vec = A.makeVector(data);
  let min: Scalar | undefined;
  let max: Scalar | undefined;
  const isFloat = data.type.typeId === A.Type.Float;
  const isString = data.type.typeId === A.Type.Utf8 || data.type.typeId === A.Type.LargeUtf8;
  const raw = !isString && data.type.typeId !== A.Type.Bool ? (data.values as ArrayLike<number | bigint>) : undefined;
  for (let i = 0; i < data.length; i++) {
    if (!isValid(data, i)) continue;
    // Raw values for numbers and times: Vector.get turns dates into Date objects.
    const v = (raw !== undefined ? raw[i] : vec.get(i)) as Scalar;
    if (isFloat && Number.isNaN(v)) {
      stats.hasNaN = true;
      continue;
    }
    if (min === undefined || v < min) min = v;
    if (max === undefined || v > max) max = v;
  }
  if (min === undefined || max === undefined) return stats;
  if (isString && ((min as string).length > MAX_STAT_STRING || (max as string).length > MAX_STAT_STRING)) return stats;
  stats.min = toJson(min);
  stats.max = toJson(max);
  return stats;
}
