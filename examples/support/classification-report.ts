// Classification metrics from true and predicted labels: the confusion matrix, accuracy, per-class precision, recall,
// F1 and support, macro and weighted averages, and a text report laid out like scikit-learn's.

/** Metrics of one class. */
export interface ClassMetrics {
  readonly label: number;
  readonly name: string;
  /** Of the rows predicted as this class, the share that are; 0 when none was predicted. */
  readonly precision: number;
  /** Of the rows of this class, the share predicted as it; 0 when there are none. */
  readonly recall: number;
  /** Harmonic mean of precision and recall; 0 when both are 0. */
  readonly f1: number;
  /** Rows of this class. */
  readonly support: number;
}

/** Averages of precision, recall and F1 over the classes. */
export interface AverageMetrics {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

/** Everything `classificationReport` measures. */
export interface ClassificationReport {
  readonly rows: number;
  readonly accuracy: number;
  readonly classes: readonly ClassMetrics[];
  /** Unweighted mean over classes. */
  readonly macro: AverageMetrics;
  /** Mean over classes weighted by support. */
  readonly weighted: AverageMetrics;
  /** `confusion[actual][predicted]` row counts. */
  readonly confusion: readonly (readonly number[])[];
}

/**
 * Counts `confusion[actual][predicted]` over labels 0 .. classes-1.
 * @example confusionMatrix([0, 1, 1], [0, 1, 0], 2) // [[1, 0], [1, 1]]
 */
export function confusionMatrix(actual: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): number[][] {
  if (actual.length !== predicted.length) throw new Error(`${actual.length} true labels but ${predicted.length} predictions`);
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const p = predicted[i]!;
    if (!(a >= 0 && a < classes && p >= 0 && p < classes)) throw new Error(`row ${i}: labels ${a}, ${p} are not in 0..${classes - 1}`);
    m[a]![p]!++;
  }
  return m;
}

/**
 * The report of predictions against true labels; `names[c]` names class c (default its number).
 * @example const r = classificationReport(testLabels, model.predict(testX), 10); r.accuracy
 */
export function classificationReport(actual: ArrayLike<number>, predicted: ArrayLike<number>, classes: number, names: readonly string[] = []): ClassificationReport {
  const confusion = confusionMatrix(actual, predicted, classes);
  const rows = actual.length;
  let right = 0;
  const metrics: ClassMetrics[] = [];
  for (let c = 0; c < classes; c++) {
    const tp = confusion[c]![c]!;
    right += tp;
    const support = confusion[c]!.reduce((s, n) => s + n, 0);
    const predictedAs = confusion.reduce((s, row) => s + row[c]!, 0);
    const precision = predictedAs === 0 ? 0 : tp / predictedAs;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    metrics.push({ label: c, name: names[c] ?? String(c), precision, recall, f1, support });
  }
  const average = (weight: (m: ClassMetrics) => number): AverageMetrics => {
    const total = metrics.reduce((s, m) => s + weight(m), 0);
    const mean = (f: (m: ClassMetrics) => number): number => (total === 0 ? 0 : metrics.reduce((s, m) => s + weight(m) * f(m), 0) / total);
    return { precision: mean((m) => m.precision), recall: mean((m) => m.recall), f1: mean((m) => m.f1) };
  };
  return {
    rows,
    accuracy: rows === 0 ? 0 : right / rows,
    classes: metrics,
    macro: average(() => 1),
    weighted: average((m) => m.support),
    confusion,
  };
}

/** The report as text: one line per class, then accuracy and the two averages (scikit-learn's layout). */
export function formatReport(report: ClassificationReport): string {
  const width = Math.max(12, ...report.classes.map((c) => c.name.length));
  const num = (x: number): string => x.toFixed(2).padStart(9);
  const line = (name: string, p: string, r: string, f: string, s: number): string => `${name.padStart(width)} ${p} ${r} ${f} ${String(s).padStart(9)}`;
  const out = [`${"".padStart(width)} ${"precision".padStart(9)} ${"recall".padStart(9)} ${"f1-score".padStart(9)} ${"support".padStart(9)}`, ""];
  for (const c of report.classes) out.push(line(c.name, num(c.precision), num(c.recall), num(c.f1), c.support));
  out.push("");
  out.push(line("accuracy", "".padStart(9), "".padStart(9), num(report.accuracy), report.rows));
  out.push(line("macro avg", num(report.macro.precision), num(report.macro.recall), num(report.macro.f1), report.rows));
  out.push(line("weighted avg", num(report.weighted.precision), num(report.weighted.recall), num(report.weighted.f1), report.rows));
  return out.join("\n");
}
