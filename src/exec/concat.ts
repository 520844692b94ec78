// Concatenation of streams, one after the other: values are not cast (the planner made the schemas equal), but
// every batch is rebuilt with the output schema so field names and nullability are the declared ones.

import { InvalidArgumentError } from "../../format/errors.js";
import type * as A from "apache-arrow";
import { makeBatch } from "./gather.js";
import type { BatchStream } from "./types.js";

/**
 * The batches of each input in turn, as batches of `schema`.
 * @example concatStreams([scanA, scanB], schema)
 */
export async function* concatStreams(inputs: readonly BatchStream[], schema: A.Schema): BatchStream {
  for (const [i, input] of inputs.entries()) {
    for await (const batch of input) {
      if (batch.numRows === 0) continue;
      if (batch.numCols !== schema.fields.length) {
        throw new InvalidArgumentError(
          `concat input ${i + 1} has columns [${batch.schema.names.join(", ")}], expected [${schema.names.join(", ")}]; select the same columns in every input`,
        );
      }
      yield makeBatch(schema, batch.data.children, batch.numRows);
    }
  }
}
