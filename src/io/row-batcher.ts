// Turns records (JS objects) into record batches of a fixed schema, one checked builder per column. A record whose
// value does not fit is undone in every column, so the batch stays rectangular whether the reader fails or skips.

import type * as A from "apache-arrow";
import { ValueMismatch } from "./bad-records.js";
import { makeBatch } from "./batch-utils.js";
import { makeColumnBuilder, type BuilderOptions, type ColumnBuilder } from "./column-builders.js";

/** A record's value that did not fit: which column, and why. */
export class RecordMismatch extends Error {
  constructor(
    readonly column: string,
    readonly mismatch: ValueMismatch,
  ) {
    super(mismatch.message);
  }
}

/** Accumulates records into batches of `schema`. */
export class RowBatcher {
  private readonly builders: ColumnBuilder[];
  private readonly names: string[];
  private rows = 0;

  constructor(
    readonly schema: A.Schema,
    options: BuilderOptions = {},
  ) {
    this.builders = schema.fields.map((f) => makeColumnBuilder(f.type, options));
    this.names = schema.fields.map((f) => f.name);
  }

  get length(): number {
    return this.rows;
  }

  /** Appends one record (missing fields are nulls); throws RecordMismatch, leaving the batcher as before. */
  append(record: Record<string, unknown>): void {
    const { builders, names } = this;
    for (let c = 0; c < builders.length; c++) {
      try {
        builders[c]!.append(record[names[c]!]);
      } catch (err) {
        for (let u = 0; u <= c; u++) builders[u]!.truncate(this.rows);
        if (err instanceof ValueMismatch) throw new RecordMismatch(names[c]!, err);
        throw err;
      }
    }
    this.rows++;
  }

  /** The records so far as one batch; the batcher is empty afterwards. */
  finish(): A.RecordBatch {
    const length = this.rows;
    this.rows = 0;
    return makeBatch(this.schema, this.builders.map((b) => b.finish()), length);
  }
}
