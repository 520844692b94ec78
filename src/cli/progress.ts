// Progress bars on stderr for long work (cli-progress), shown only when stderr is a terminal: a pipe or a file gets
// nothing, so scripts and logs stay clean. Commands report through the small `Progress` interface and never learn
// whether a bar is drawn.

import cliProgress from "cli-progress";
import type { ProgressEvent } from "../exec/context.js";

/** One piece of long work: a bar with a total, or a counter when the total is unknown. */
export interface ProgressTask {
  /** Sets how much is done (and the total, when it became known). */
  update(done: number, total?: number): void;
  /** Adds `n` to what is done. */
  increment(n?: number): void;
  /** Ends the bar (drawn at its final value). */
  stop(): void;
}

/** Starts tasks; a disabled one hands out tasks that draw nothing. */
export interface Progress {
  readonly enabled: boolean;
  /** `label` names the work ("embed image"); `unit` the counted things ("rows"; "" for work shown as elapsed time only). */
  start(label: string, total?: number, unit?: string): ProgressTask;
  /**
   * Writes a line of commentary to `to` without garbling a bar being drawn: when `to` is a terminal as well, the
   * line is printed above the bar.
   */
  log(line: string, to: NodeJS.WriteStream): void;
}

const silentTask: ProgressTask = { update() {}, increment() {}, stop() {} };
const write = (line: string, to: NodeJS.WriteStream): void => void to.write(`${line}\n`);

/** Progress that draws nothing (pipes, files, --json consumers that redirect stderr). */
export const noProgress: Progress = { enabled: false, start: () => silentTask, log: write };

/** Bars on `stream` when it is a terminal (TESSERA_PROGRESS=0 turns them off, =1 forces them on). */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const env = process.env.TESSERA_PROGRESS;
  const enabled = env === "1" || (env !== "0" && stream.isTTY === true);
  if (!enabled) return noProgress;
  // The bars being drawn, each in a MultiBar of its own for its log(): lines printed above the bar, not through it.
  const active = new Set<cliProgress.MultiBar>();
  return {
    enabled: true,
    start: (label, total, unit = "rows") => barTask(stream, label, total, unit, active),
    log(line, to) {
      const bars = [...active].at(-1);
      if (bars !== undefined && to.isTTY === true && stream.isTTY === true) bars.log(`${line}\n`);
      else write(line, to);
    },
  };
}

function barTask(stream: NodeJS.WriteStream, label: string, total: number | undefined, unit: string, active: Set<cliProgress.MultiBar>): ProgressTask {
  const known = (t: number | undefined): t is number => t !== undefined && t > 0;
  // Without a total there is nothing to fill: show the count and the elapsed time.
  const format = (withTotal: boolean): string =>
    withTotal
      ? `${label} {bar} {percentage}% | {value}/{total} ${unit} | {duration_formatted}`
      : unit === ""
        ? `${label} | {duration_formatted}`
        : `${label} | {value} ${unit} | {duration_formatted}`;
  const bars = new cliProgress.MultiBar({ stream, hideCursor: true, barsize: 24, noTTYOutput: true, etaBuffer: 20 }, cliProgress.Presets.shades_classic);
  let value = 0;
  let withTotal = known(total);
  const make = (): cliProgress.SingleBar => bars.create(withTotal ? total! : 0, value, {}, { format: format(withTotal) });
  let bar = make();
  active.add(bars);
  // The bar hides the cursor while it draws: give it back if the user interrupts the work.
  const interrupted = (): void => {
    bars.stop();
    process.exit(130);
  };
  process.once("SIGINT", interrupted);
  return {
    update(done, newTotal) {
      value = done;
      if (newTotal !== undefined && newTotal !== total) {
        total = newTotal;
        if (known(total) !== withTotal) {
          // A bar's format is fixed when it is created: switch between counter and bar by drawing a new one.
          bars.remove(bar);
          withTotal = known(total);
          bar = make();
        } else bar.setTotal(total);
      }
      bar.update(done);
    },
    increment(n = 1) {
      this.update(value + n);
    },
    stop() {
      bar.update(value);
      bars.stop();
      active.delete(bars);
      process.off("SIGINT", interrupted);
    },
  };
}

/**
 * An `ExecOptions.onProgress` feeding `task`: the furthest stage's row count, which for a read-then-write plan is
 * the rows read so far.
 */
export function engineProgress(task: ProgressTask): (event: ProgressEvent) => void {
  let most = 0;
  return (event) => {
    if (event.rows > most) {
      most = event.rows;
      task.update(most);
    }
  };
}

/** A progress report of work that may go through named phases (an index build: "sample", then "encode"). */
export interface PhasedProgress {
  phase?: string;
  rows: number;
  totalRows: number;
}

/**
 * Runs `work` with an `onProgress` that draws one bar per phase, labelled `label: phase` (just `label` for work
 * without phases), and stops the last bar whatever happens.
 */
export async function withPhases<T>(progress: Progress, label: string, work: (onProgress: (p: PhasedProgress) => void) => Promise<T>): Promise<T> {
  let task: ProgressTask | undefined;
  let phase: string | undefined;
  try {
    return await work((p) => {
      if (task === undefined || p.phase !== phase) {
        task?.stop();
        phase = p.phase;
        task = progress.start(phase === undefined ? label : `${label}: ${phase}`, p.totalRows);
      }
      task.update(p.rows, p.totalRows);
    });
  } finally {
    task?.stop();
  }
}

/** What extendIndexes needs of a table (Table.optimizeIndices), without importing the table here. */
export interface IndexExtender {
  optimizeIndices(options: { onProgress: (p: { index: string; rows: number; totalRows: number }) => void }): Promise<void>;
}

/** `optimizeIndices()` with one bar per index it extends ("extend index: vec_idx"). */
export function extendIndexes(progress: Progress, table: IndexExtender): Promise<void> {
  return withPhases(progress, "extend index", (onProgress) => table.optimizeIndices({ onProgress: (p) => onProgress({ ...p, phase: p.index }) }));
}

/** Runs `work` under a task that is stopped whatever happens. */
export async function withTask<T>(progress: Progress, label: string, total: number | undefined, work: (task: ProgressTask) => Promise<T>, unit?: string): Promise<T> {
  const task = progress.start(label, total, unit);
  try {
    return await work(task);
  } finally {
    task.stop();
  }
}
