// Typed errors for every layer: a stable `code`, the object at fault, and a message that says what to do.
// Only `RetryableError` is ever retried automatically (see format/store/retry.ts).

/** Where an error happened; every field is optional, and what is known is put in the message. */
export interface ErrorContext {
  uri?: string;
  path?: string;
  column?: string;
  page?: number;
  version?: number;
  cause?: unknown;
}

export type TesseraErrorCode =
  | "NOT_FOUND"
  | "ALREADY_EXISTS"
  | "CORRUPT_FILE"
  | "COMMIT_CONFLICT"
  | "RETRYABLE"
  | "NOT_SUPPORTED"
  | "INVALID_ARGUMENT"
  | "STORAGE";

/** Base class of every error Tessera throws on purpose. */
export class TesseraError extends Error {
  readonly code: TesseraErrorCode;
  readonly context: ErrorContext;

  constructor(code: TesseraErrorCode, message: string, context: ErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = new.target.name;
    this.code = code;
    this.context = context;
  }

  get uri(): string | undefined {
    return this.context.uri;
  }
}

/** The object (file, table, version) does not exist. */
export class NotFoundError extends TesseraError {
  constructor(message: string, context: ErrorContext = {}) {
    super("NOT_FOUND", message, context);
  }
}

/** A create-only write found the object already there (put-if-absent lost, or create on an existing table). */
export class AlreadyExistsError extends TesseraError {
  constructor(message: string, context: ErrorContext = {}) {
    super("ALREADY_EXISTS", message, context);
  }
}

/** Bytes on storage are not what the format promises (bad magic, checksum mismatch, truncation). */
export class CorruptFileError extends TesseraError {
  constructor(message: string, context: ErrorContext = {}) {
    super("CORRUPT_FILE", message, context);
  }
}

/** Two writers made incompatible changes; the message names both operations. */
export class CommitConflictError extends TesseraError {
  constructor(message: string, context: ErrorContext = {}) {
    super("COMMIT_CONFLICT", message, context);
  }
}

/** A transient failure (throttling, 5xx, connection reset, timeout): safe to try again. */
export class RetryableError extends TesseraError {
  constructor(message: string, context: ErrorContext = {}) {
    super("RETRYABLE", message, context);
  }
}

/** A type, feature or format version this build does not handle. */
export class NotSupportedError extends TesseraError {
  constructor(message: string, context: ErrorContext = {}) {
    super("NOT_SUPPORTED", message, context);
  }
}

/** The caller passed something unusable (bad URI, bad option, wrong schema). */
export class InvalidArgumentError extends TesseraError {
  constructor(message: string, context: ErrorContext = {}) {
    super("INVALID_ARGUMENT", message, context);
  }
}

/** A storage failure that is neither transient nor one of the above (permissions, bad credentials). */
export class StorageError extends TesseraError {
  constructor(message: string, context: ErrorContext = {}) {
    super("STORAGE", message, context);
  }
}

/** True when `err` is a Tessera error with the given code. */
export function isTesseraError(err: unknown, code?: TesseraErrorCode): err is TesseraError {
  return err instanceof TesseraError && (code === undefined || err.code === code);
}
