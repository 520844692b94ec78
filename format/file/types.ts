// Which physical shape each Arrow type has in the file (see docs/format/file.md §Types), and its byte width.

import * as A from "apache-arrow";
import { NotSupportedError } from "../errors.js";

/** How a type's values are laid out in a segment. */
export type PhysicalKind = "null" | "bool" | "fixed" | "binary" | "large-binary" | "list" | "fsl" | "struct";

/** The physical kind of an Arrow type; throws NotSupportedError for types the format does not store. */
export function physicalKind(type: A.DataType, column?: string): PhysicalKind {
  switch (type.typeId) {
    case A.Type.Null:
      return "null";
    case A.Type.Bool:
      return "bool";
    case A.Type.Int:
    case A.Type.Float:
    case A.Type.Date:
    case A.Type.Time:
    case A.Type.Timestamp:
    case A.Type.Duration:
    case A.Type.Decimal:
    case A.Type.FixedSizeBinary:
      return "fixed";
    case A.Type.Interval:
      if ((type as A.Interval).unit !== A.IntervalUnit.MONTH_DAY_NANO) return "fixed";
      break;
    case A.Type.Utf8:
    case A.Type.Binary:
      return "binary";
    case A.Type.LargeUtf8:
    case A.Type.LargeBinary:
      return "large-binary";
    case A.Type.List:
      return "list";
    case A.Type.FixedSizeList:
      return "fsl";
    case A.Type.Struct:
      return "struct";
    default:
      break;
  }
  throw new NotSupportedError(
    `type ${String(type)} is not supported by the Tessera data file` +
      (column === undefined ? "" : ` (column "${column}")`) +
      "; cast dictionaries to their value type, maps or unions to structs or lists, and month-day-nano intervals " +
      "to a struct of their parts",
    { column },
  );
}

/** Bytes per value of a fixed-width primitive type. */
export function primitiveWidth(type: A.DataType): number {
  switch (type.typeId) {
    case A.Type.Int:
    case A.Type.Time:
    case A.Type.Decimal:
      return (type as A.Int | A.Time | A.Decimal).bitWidth / 8;
    case A.Type.Float:
      return [2, 4, 8][(type as A.Float).precision]!;
    case A.Type.Date:
      return (type as A.Date_).unit === A.DateUnit.DAY ? 4 : 8;
    case A.Type.Timestamp:
    case A.Type.Duration:
      return 8;
    case A.Type.Interval:
      return (type as A.Interval).unit === A.IntervalUnit.YEAR_MONTH ? 4 : 8;
    case A.Type.FixedSizeBinary:
      return (type as A.FixedSizeBinary).byteWidth;
    default:
      throw new NotSupportedError(`type ${String(type)} has no fixed width`);
  }
}

/**
 * Bytes per value when the whole value is a run of fixed-width bytes (primitives, and fixed-size lists of them
 * such as vectors); undefined otherwise. Child nulls inside a fixed-size list are checked per page, not here.
 */
export function flatWidth(type: A.DataType): number | undefined {
  const kind = physicalKind(type);
  if (kind === "fixed") return primitiveWidth(type);
  if (kind === "fsl") {
    const t = type as A.FixedSizeList;
    const child = flatWidth(t.children[0]!.type);
    return child === undefined ? undefined : child * t.listSize;
  }
  return undefined;
}

/** True for types whose values sort and compare, so pages keep min/max statistics. */
export function hasOrderStats(type: A.DataType): boolean {
  switch (type.typeId) {
    case A.Type.Int:
    case A.Type.Date:
    case A.Type.Timestamp:
    case A.Type.Time:
    case A.Type.Duration:
    case A.Type.Utf8:
    case A.Type.LargeUtf8:
    case A.Type.Bool:
      return true;
    case A.Type.Float:
      return (type as A.Float).precision !== A.Precision.HALF;
    default:
      return false;
  }
}
