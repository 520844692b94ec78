// What a row reader does with a record it cannot use (a malformed line, a value that does not fit the schema): fail
// naming the file, line and field, or skip it, count it and hand it to a dead-letter callback.

import { CorruptFileError, InvalidArgumentError, type TesseraError } from "../../format/errors.js";
import type { ReadStats } from "./byte-stream.js";

/** A record a reader skipped, as `deadLetter` receives it. */
export interface DeadLetterRecord {
  readonly uri: string;
  /** 1-based line where the record starts. */
  readonly line: number;
  /** The record's text as read (a line, a CSV record, a JSON array element). */
  readonly text: string;
  /** Why it was skipped. */
  readonly error: string;
}

/** Options for records a reader cannot use. */
export interface BadRecordOptions {
  /** "fail" (default): the first bad record ends the scan with an error naming file, line and field. "skip": skip it. */
  readonly onError?: "fail" | "skip";
  /** With `onError: "skip"`, called with each skipped record. */
  readonly deadLetter?: (record: DeadLetterRecord) => void;
}

/** A value that does not fit its column; `path` names the field (struct fields and list items included). */
export class ValueMismatch extends Error {
  readonly path: string[] = [];

  constructor(message: string) {
    super(message);
  }

  /** Records the enclosing field while the error travels up through nested builders. */
  within(name: string): this {
    this.path.unshift(name);
    return this;
  }
}

/** Where a bad record was met. */
export interface RecordPlace {
  readonly uri: string;
  readonly line: number;
  readonly text: string;
}

const FIX = 'fix the input, pass options.schema, or read with onError: "skip"';

/** The field a mismatch is about: "a", "a.b", "tags[2]". */
export function fieldPath(column: string, err: ValueMismatch): string {
  return [column, ...err.path].join(".").replace(/\.\[/g, "[");
}

/** The typed error for a value that does not fit, naming file, line and field. */
export function mismatchError(place: RecordPlace, err: ValueMismatch, column: string): TesseraError {
  const field = fieldPath(column, err);
  return new InvalidArgumentError(`${place.uri} line ${place.line}, field "${field}": ${err.message}; ${FIX}`, {
    uri: place.uri,
    column,
    cause: err,
  });
}

/** The typed error for a record that cannot be parsed at all. */
export function malformedError(place: RecordPlace, what: string): TesseraError {
  return new CorruptFileError(`${place.uri} line ${place.line}: ${what}; ${FIX}`, { uri: place.uri });
}

/** Applies the `onError` policy: throws under "fail", counts and reports under "skip". */
export class BadRecordPolicy {
  constructor(
    private readonly options: BadRecordOptions,
    private readonly stats: ReadStats,
  ) {}

  get skipping(): boolean {
    return this.options.onError === "skip";
  }

  handle(place: RecordPlace, error: TesseraError): void {
    if (!this.skipping) throw error;
    this.stats.recordsSkipped++;
    this.options.deadLetter?.({ uri: place.uri, line: place.line, text: place.text, error: error.message });
  }
}

/** Checks `onError` early, so a typo fails when the reader is opened rather than at the first bad line. */
export function checkBadRecordOptions(options: BadRecordOptions, uri: string): void {
  const mode = options.onError;
  if (mode !== undefined && mode !== "fail" && mode !== "skip") {
    throw new InvalidArgumentError(`onError must be "fail" or "skip", got ${JSON.stringify(mode)} (reading ${uri})`, { uri });
  }
}
