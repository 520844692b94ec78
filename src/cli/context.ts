// What every command gets besides its own arguments: storage options for s3:// URIs and the progress reporter.

import type { StorageOptions } from "../../format/store/object-store.js";
import { noProgress, type Progress } from "./progress.js";

/** Shared inputs of the command functions; tests and other programs pass their own. */
export interface CommandContext {
  /** For s3:// URIs (the AWS_* environment fills the rest). */
  readonly storage: StorageOptions;
  /** Where long work reports progress. */
  readonly progress: Progress;
  /** Lines of running commentary (the demo's); default: none. */
  readonly log?: (line: string) => void;
}

/** A context with no storage options and no progress bars. */
export function quietContext(storage: StorageOptions = {}): CommandContext {
  return { storage, progress: noProgress };
}
