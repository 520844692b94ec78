// Builders of nested columns (struct, list, fixed-size list). Each takes a factory for its children, so the
// dispatch table in column-builders.ts stays the one place that maps types to builders.

import * as A from "apache-arrow";
import { typeName } from "../../format/expr/index.js";
import { ValueMismatch } from "./bad-records.js";
import { mismatch, Validity, type ColumnBuilder } from "./builder-base.js";

/** Makes the builder of a child column. */
export type ChildFactory = (type: A.DataType) => ColumnBuilder;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v) && !(v instanceof Date);
}

/** Objects: each field from the property of the same name; missing properties are nulls, extra ones ignored. */
export class StructBuilder implements ColumnBuilder {
  private readonly valid = new Validity();
  private readonly children: ColumnBuilder[];

  constructor(
    readonly type: A.Struct,
    make: ChildFactory,
  ) {
    this.children = type.children.map((f) => make(f.type));
  }

  get length(): number {
    return this.valid.length;
  }

  append(v: unknown): void {
    if (v === null || v === undefined) {
      for (const c of this.children) c.append(null);
      this.valid.push(false);
      return;
    }
    if (!isPlainObject(v)) throw mismatch(this.type, v);
    const fields = this.type.children;
    for (let i = 0; i < fields.length; i++) {
      const name = fields[i]!.name;
      try {
        this.children[i]!.append(v[name]);
      } catch (err) {
        throw err instanceof ValueMismatch ? err.within(name) : err;
      }
    }
    this.valid.push(true);
  }

  truncate(length: number): void {
    for (const c of this.children) c.truncate(length);
    this.valid.truncate(length);
  }

  finish(): A.Data {
    const length = this.valid.length;
    const children = this.children.map((c) => c.finish());
    const { nullBitmap, nullCount } = this.valid.finish();
    return A.makeData({ type: this.type, length, nullCount, nullBitmap, children });
  }
}

function isListValue(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

/** Arrays (and typed arrays) of any length. */
export class ListBuilder implements ColumnBuilder {
  private offsets = new Int32Array(65);
  private readonly valid = new Validity();
  private readonly child: ColumnBuilder;

  constructor(
    readonly type: A.List,
    make: ChildFactory,
  ) {
    this.child = make(type.children[0]!.type);
  }

  get length(): number {
    return this.valid.length;
  }

  append(v: unknown): void {
    const isNull = v === null || v === undefined;
    if (!isNull && !isListValue(v)) throw mismatch(this.type, v);
    if (!isNull) appendItems(this.child, v);
    const i = this.valid.length;
    if (i + 1 === this.offsets.length) {
      const next = new Int32Array(this.offsets.length * 2);
      next.set(this.offsets);
      this.offsets = next;
    }
    this.offsets[i + 1] = this.child.length;
    this.valid.push(!isNull);
  }

  truncate(length: number): void {
    // Also at length === this.length: a failed append may have left items of an unfinished list in the child.
    if (length > this.valid.length) return;
    this.child.truncate(this.offsets[length]!);
    this.valid.truncate(length);
  }

  finish(): A.Data {
    const length = this.valid.length;
    const valueOffsets = this.offsets.slice(0, length + 1);
    this.offsets = new Int32Array(65);
    const child = this.child.finish();
    const { nullBitmap, nullCount } = this.valid.finish();
    return A.makeData({ type: this.type, length, nullCount, nullBitmap, valueOffsets, child });
  }
}

/** Appends a list's items: runs of plain numbers through the child's bulk path, anything else checked one by one. */
function appendItems(child: ColumnBuilder, items: ArrayLike<unknown>): void {
  let j = 0;
  while (j < items.length) {
    if (child.appendPlain !== undefined) {
      j = child.appendPlain(items, j);
      if (j === items.length) return;
    }
    try {
      child.append(items[j]);
    } catch (err) {
      throw err instanceof ValueMismatch ? err.within(`[${j}]`) : err;
    }
    j++;
  }
}

/** Arrays of exactly `listSize` items (vectors); a null takes `listSize` null slots in the child. */
export class FixedSizeListBuilder implements ColumnBuilder {
  private readonly valid = new Validity();
  private readonly child: ColumnBuilder;

  constructor(
    readonly type: A.FixedSizeList,
    make: ChildFactory,
  ) {
    this.child = make(type.children[0]!.type);
  }

  get length(): number {
    return this.valid.length;
  }

  append(v: unknown): void {
    const n = this.type.listSize;
    if (v === null || v === undefined) {
      for (let j = 0; j < n; j++) this.child.append(null);
      this.valid.push(false);
      return;
    }
    if (!isListValue(v)) throw mismatch(this.type, v);
    if (v.length !== n) throw new ValueMismatch(`expected ${n} items (${typeName(this.type)}), got ${v.length}`);
    appendItems(this.child, v);
    this.valid.push(true);
  }

  truncate(length: number): void {
    this.child.truncate(length * this.type.listSize);
    this.valid.truncate(length);
  }

  finish(): A.Data {
    const length = this.valid.length;
    const child = this.child.finish();
    const { nullBitmap, nullCount } = this.valid.finish();
    return A.makeData({ type: this.type, length, nullCount, nullBitmap, child });
  }
}
