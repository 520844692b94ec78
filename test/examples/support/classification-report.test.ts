// The classification report's numbers match ones computed by hand on a small confusion matrix, including the
// zero-division cases, and its text has scikit-learn's layout.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classificationReport, confusionMatrix, formatReport } from "../../../examples/support/classification-report.js";

// 10 rows, 3 classes. Class 2 is never predicted; class 1 is predicted for 5 rows of which 3 are class 1.
const actual = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2];
const predicted = [0, 0, 0, 1, 1, 1, 1, 0, 1, 1];

describe("classification report", () => {
  it("counts confusion[actual][predicted]", () => {
    assert.deepEqual(confusionMatrix(actual, predicted, 3), [
      [3, 1, 0],
      [0, 3, 0],
      [1, 2, 0],
    ]);
    assert.throws(() => confusionMatrix([0, 3], [0, 0], 3), /labels 3, 0 are not in 0\.\.2/);
    assert.throws(() => confusionMatrix([0], [0, 1], 2), /1 true labels but 2 predictions/);
  });

  it("gives accuracy, per-class precision / recall / F1 / support and the averages computed by hand", () => {
    const r = classificationReport(actual, predicted, 3, ["zero", "one", "two"]);
    const near = (got: number, want: number, what: string): void => assert.ok(Math.abs(got - want) < 1e-12, `${what}: ${got}, expected ${want}`);
    near(r.accuracy, 6 / 10, "accuracy");
    // class 0: tp 3, predicted 4, actual 4
    near(r.classes[0]!.precision, 3 / 4, "precision 0");
    near(r.classes[0]!.recall, 3 / 4, "recall 0");
    near(r.classes[0]!.f1, 3 / 4, "f1 0");
    // class 1: tp 3, predicted 6, actual 3
    near(r.classes[1]!.precision, 3 / 6, "precision 1");
    near(r.classes[1]!.recall, 1, "recall 1");
    near(r.classes[1]!.f1, (2 * 0.5 * 1) / 1.5, "f1 1");
    // class 2: never predicted: precision 0 (no division by zero), recall 0, F1 0
    assert.deepEqual([r.classes[2]!.precision, r.classes[2]!.recall, r.classes[2]!.f1], [0, 0, 0]);
    assert.deepEqual(r.classes.map((c) => c.support), [4, 3, 3]);
    assert.deepEqual(r.classes.map((c) => c.name), ["zero", "one", "two"]);
    near(r.macro.precision, (0.75 + 0.5 + 0) / 3, "macro precision");
    near(r.macro.recall, (0.75 + 1 + 0) / 3, "macro recall");
    near(r.macro.f1, (0.75 + 2 / 3 + 0) / 3, "macro f1");
    near(r.weighted.precision, (4 * 0.75 + 3 * 0.5) / 10, "weighted precision");
    near(r.weighted.recall, (4 * 0.75 + 3 * 1) / 10, "weighted recall (equals accuracy)");
    near(r.weighted.f1, (4 * 0.75 + 3 * (2 / 3)) / 10, "weighted f1");
  });

  it("handles no rows and unnamed classes", () => {
    const r = classificationReport([], [], 2);
    assert.equal(r.accuracy, 0);
    assert.deepEqual(r.classes.map((c) => [c.name, c.precision, c.recall, c.f1, c.support]), [
      ["0", 0, 0, 0, 0],
      ["1", 0, 0, 0, 0],
    ]);
    assert.deepEqual(r.macro, { precision: 0, recall: 0, f1: 0 });
  });

  it("formats one line per class, then accuracy and the averages", () => {
    const text = formatReport(classificationReport(actual, predicted, 3, ["zero", "one", "two"]));
    const lines = text.split("\n");
    assert.match(lines[0]!, /^\s+precision\s+recall\s+f1-score\s+support$/);
    assert.match(lines[2]!, /^\s+zero\s+0\.75\s+0\.75\s+0\.75\s+4$/);
    assert.match(lines[3]!, /^\s+one\s+0\.50\s+1\.00\s+0\.67\s+3$/);
    assert.match(lines[4]!, /^\s+two\s+0\.00\s+0\.00\s+0\.00\s+3$/);
    assert.match(lines[6]!, /^\s+accuracy\s+0\.60\s+10$/);
    assert.match(lines[7]!, /^\s+macro avg\s+0\.42\s+0\.58\s+0\.47\s+10$/);
    assert.match(lines[8]!, /^\s*weighted avg\s+0\.45\s+0\.60\s+0\.50\s+10$/);
  });
});
