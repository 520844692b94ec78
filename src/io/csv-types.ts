// CSV cells are text: this infers a column type from sampled cells (int64 < float64, bool, else utf8; nulls ignored)
// and converts cell text to the JS value a column builder takes, with a ValueMismatch when it does not parse.

import * as A from "apache-arrow";
import { typeName } from "../../format/expr/index.js";
import { ValueMismatch } from "./bad-records.js";
import { describeValue } from "./column-builders.js";

const INT = /^\s*[+-]?\d+\s*$/;
const FLOAT = /^\s*[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|inf|infinity|nan)\s*$/i;
const BOOL = /^\s*(?:true|false)\s*$/i;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

function isInt64Text(t: string): boolean {
  if (!INT.test(t)) return false;
  const digits = t.trim().replace(/^[+-]/, "").length;
  if (digits < 19) return true;
  const b = BigInt(t.trim());
  return b >= INT64_MIN && b <= INT64_MAX;
}

/** What a column's sampled cells allow. */
export class CsvColumnGuess {
  private int = true;
  private float = true;
  private bool = true;
  private seen = false;

  observe(cell: string | null): void {
    if (cell === null) return;
    this.seen = true;
    if (this.int && !isInt64Text(cell)) this.int = false;
    if (this.float && !this.int && !FLOAT.test(cell)) this.float = false;
    if (this.bool && !BOOL.test(cell)) this.bool = false;
  }

  /** Int64 if every cell is an integer, Float64 if every one is a number, Bool, else Utf8 (also when all null). */
  type(): A.DataType {
    if (!this.seen) return new A.Utf8();
    if (this.int) return new A.Int64();
    if (this.float) return new A.Float64();
    if (this.bool) return new A.Bool();
    return new A.Utf8();
  }
}

/** Turns a non-null cell into what the column's builder takes. */
export type CellParser = (cell: string) => unknown;

function fail(type: A.DataType, cell: string): never {
  throw new ValueMismatch(`expected ${typeName(type)}, got ${describeValue(cell)}`);
}

function parseFloatCell(type: A.DataType, cell: string): number {
  const t = cell.trim().toLowerCase();
  if (t === "nan") return NaN;
  if (t === "inf" || t === "+inf" || t === "infinity" || t === "+infinity") return Infinity;
  if (t === "-inf" || t === "-infinity") return -Infinity;
  if (!FLOAT.test(cell)) fail(type, cell);
  return Number(cell);
}

function parseIntCell(type: A.DataType, cell: string): number | bigint {
  if (!INT.test(cell)) fail(type, cell);
  const t = cell.trim();
  // Short integers go through Number (much cheaper than BigInt); the builder range-checks either way.
  return t.length <= 15 ? Number(t) : BigInt(t);
}

function parseBoolCell(type: A.DataType, cell: string): boolean {
  const t = cell.trim().toLowerCase();
  if (t === "true") return true;
  if (t === "false") return false;
  return fail(type, cell);
}

/** Nested columns hold JSON text in their cells (as writeCsv writes them). */
function parseJsonCell(type: A.DataType, cell: string): unknown {
  try {
    return JSON.parse(cell) as unknown;
  } catch {
    return fail(type, cell);
  }
}

const PARSERS: Partial<Record<A.Type, (type: A.DataType) => CellParser>> = {
  [A.Type.Int]: (type) => (cell) => parseIntCell(type, cell),
  [A.Type.Float]: (type) => (cell) => parseFloatCell(type, cell),
  [A.Type.Bool]: (type) => (cell) => parseBoolCell(type, cell),
  [A.Type.Struct]: (type) => (cell) => parseJsonCell(type, cell),
  [A.Type.List]: (type) => (cell) => parseJsonCell(type, cell),
  [A.Type.FixedSizeList]: (type) => (cell) => parseJsonCell(type, cell),
};

/** The cell parser for a column of `type`; strings, dates, timestamps and binary go to the builder as text. */
export function cellParser(type: A.DataType): CellParser {
  const make = PARSERS[type.typeId as A.Type];
  return make === undefined ? (cell) => cell : make(type);
}
