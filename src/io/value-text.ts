// How Arrow values are written as text: JSON for writeJson (and nested CSV cells), plain cells for writeCsv. Chosen
// so the readers infer the same kinds back: floats keep a ".0" (1.0 stays a float), 64-bit integers are exact
// digits, binary is base64 (the readers decode it when the column is given as Binary), dates and times are ISO text.

import * as A from "apache-arrow";

/** Formats one non-null value (as Vector.get returns it) as JSON text. */
export type Formatter = (value: unknown) => string;

/** Float text that reads back as a float: integral values get ".0"; NaN and infinities (not JSON) are null. */
export function floatText(x: number): string {
  if (!Number.isFinite(x)) return "null";
  const s = String(x);
  return Number.isInteger(x) && !s.includes("e") ? `${s}.0` : s;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/** ISO 8601 text of a timestamp given in (possibly fractional) milliseconds; sub-millisecond digits when present. */
export function isoTimestamp(ms: number): string {
  const whole = Math.floor(ms);
  const iso = new Date(whole).toISOString();
  const micros = Math.round((ms - whole) * 1000);
  return micros === 0 ? iso : `${iso.slice(0, -1)}${pad(micros, 3)}Z`;
}

/** "YYYY-MM-DD" of a date given in milliseconds. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

type FormatterFactory = (type: A.DataType) => Formatter;

const str = (v: unknown): string => JSON.stringify(v);

const JSON_FORMATTERS: Partial<Record<A.Type, FormatterFactory>> = {
  [A.Type.Int]: () => (v) => String(v),
  [A.Type.Float]: () => (v) => floatText(v as number),
  [A.Type.Bool]: () => (v) => (v === true ? "true" : "false"),
  [A.Type.Utf8]: () => str,
  [A.Type.LargeUtf8]: () => str,
  [A.Type.Binary]: () => (v) => `"${Buffer.from(v as Uint8Array).toString("base64")}"`,
  [A.Type.LargeBinary]: () => (v) => `"${Buffer.from(v as Uint8Array).toString("base64")}"`,
  [A.Type.FixedSizeBinary]: () => (v) => `"${Buffer.from(v as Uint8Array).toString("base64")}"`,
  [A.Type.Timestamp]: () => (v) => `"${isoTimestamp(v as number)}"`,
  [A.Type.Date]: (type) => ((type as A.Date_).unit === A.DateUnit.DAY ? (v) => `"${isoDate(v as number)}"` : (v) => `"${isoTimestamp(v as number)}"`),
  [A.Type.Struct]: (type) => structFormatter(type as A.Struct),
  [A.Type.List]: (type) => listFormatter((type as A.List).children[0]!.type),
  [A.Type.FixedSizeList]: (type) => listFormatter((type as A.FixedSizeList).children[0]!.type),
  [A.Type.Dictionary]: (type) => jsonFormatter((type as A.Dictionary).dictionary),
  [A.Type.Null]: () => () => "null",
};

/**
 * The JSON formatter of a type; types without one (decimals, maps, intervals...) are written as Arrow JS's own
 * JSON form of the value.
 */
export function jsonFormatter(type: A.DataType): Formatter {
  const make = JSON_FORMATTERS[type.typeId as A.Type];
  return make === undefined ? fallbackJson : make(type);
}

function fallbackJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x)) ?? "null";
}

/** JSON text of a value that may be null. */
export function orNull(format: Formatter, v: unknown): string {
  return v === null || v === undefined ? "null" : format(v);
}

function structFormatter(type: A.Struct): Formatter {
  const fields = type.children.map((f) => ({ key: `${JSON.stringify(f.name)}:`, name: f.name, format: jsonFormatter(f.type) }));
  return (v) => {
    const row = v as Record<string, unknown>;
    return `{${fields.map((f) => f.key + orNull(f.format, row[f.name])).join(",")}}`;
  };
}

function listFormatter(item: A.DataType): Formatter {
  const format = jsonFormatter(item);
  return (v) => {
    const items = v as { length: number; get(i: number): unknown };
    const out: string[] = new Array<string>(items.length);
    for (let i = 0; i < items.length; i++) out[i] = orNull(format, items.get(i));
    return `[${out.join(",")}]`;
  };
}

/** Formats one non-null value as a CSV cell's content (before quoting). */
export type CellFormatter = (value: unknown) => string;

const CSV_FORMATTERS: Partial<Record<A.Type, (type: A.DataType) => CellFormatter>> = {
  [A.Type.Int]: () => (v) => String(v),
  [A.Type.Float]: () => (v) => {
    const x = v as number;
    if (Number.isNaN(x)) return "NaN";
    if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
    return floatText(x);
  },
  [A.Type.Bool]: () => (v) => (v === true ? "true" : "false"),
  [A.Type.Utf8]: () => (v) => v as string,
  [A.Type.LargeUtf8]: () => (v) => v as string,
  [A.Type.Binary]: () => (v) => Buffer.from(v as Uint8Array).toString("base64"),
  [A.Type.Timestamp]: () => (v) => isoTimestamp(v as number),
  [A.Type.Date]: (type) => ((type as A.Date_).unit === A.DateUnit.DAY ? (v) => isoDate(v as number) : (v) => isoTimestamp(v as number)),
  [A.Type.Dictionary]: (type) => csvFormatter((type as A.Dictionary).dictionary),
};

/** The CSV cell formatter of a type; nested and other types are written as their JSON text. */
export function csvFormatter(type: A.DataType): CellFormatter {
  const make = CSV_FORMATTERS[type.typeId as A.Type];
  return make === undefined ? jsonFormatter(type) : make(type);
}
