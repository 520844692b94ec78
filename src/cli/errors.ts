// How the command line fails: usage errors (a bad command line) exit 2, Tessera errors (missing tables, bad data,
// storage) exit 1, each as one `tessera: …` line without a stack trace. Only a bug prints a stack.

import { InvalidArgumentError, isTesseraError, type ErrorContext } from "../../format/errors.js";

/** Exit codes of the `tessera` command. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * The command line itself is wrong (a missing or conflicting option, a value of the wrong shape): the message
 * says what was expected. Exits 2.
 */
export class UsageError extends InvalidArgumentError {
  constructor(message: string, context: ErrorContext = {}) {
    super(message, context);
  }
}

/** Shape of commander's own errors (unknown command or option, missing argument, invalid option value). */
interface CommanderLike {
  code: string;
  exitCode: number;
}

function isCommanderError(err: unknown): err is CommanderLike {
  const code = (err as Partial<CommanderLike> | null)?.code;
  return err instanceof Error && typeof code === "string" && code.startsWith("commander.");
}

/** The exit code for an error thrown by a command (or by commander). */
export function exitCodeOf(err: unknown): number {
  if (isCommanderError(err)) {
    // --help and --version "fail" through exitOverride with code 0.
    return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (err instanceof UsageError) return EXIT.usage;
  return EXIT.failed;
}

const PREFIX = "tessera: ";

/** `message` after the program name; later lines are indented as far, so a caret under an expression still points. */
function prefixed(message: string): string {
  return PREFIX + message.split("\n").join(`\n${" ".repeat(PREFIX.length)}`);
}

/**
 * `err` again (same class, code and context) with `what` in front of its message, and the lines after the first
 * indented to match — for messages that point into an argument with a caret.
 */
export function withContext(err: unknown, what: string): unknown {
  if (!isTesseraError(err)) return err;
  const [first, ...rest] = err.message.split("\n");
  const pad = " ".repeat(what.length + 2);
  const message = [`${what}: ${first}`, ...rest.map((l) => pad + l)].join("\n");
  const Ctor = err.constructor as new (message: string, context: ErrorContext) => Error;
  return new Ctor(message, { ...err.context, cause: err });
}

/** The line(s) to print for an error; undefined when commander already printed its own message. */
export function errorText(err: unknown): string | undefined {
  if (isCommanderError(err)) return undefined;
  if (isTesseraError(err)) return prefixed(err.message);
  const e = err instanceof Error ? err : new Error(String(err));
  // A failed system call (a file that cannot be read or written) is the user's to fix, not a bug.
  if (typeof (e as { syscall?: unknown }).syscall === "string") return prefixed(e.message);
  // Not a Tessera error: a bug or an environment failure nobody anticipated. The stack helps whoever reports it.
  return process.env.TESSERA_DEBUG
    ? `tessera: unexpected error: ${e.stack ?? e.message}`
    : `tessera: unexpected error: ${e.message}\n(set TESSERA_DEBUG=1 to see where it happened; please report it)`;
}
