// A table's schema: Arrow fields with stable ids, so data files refer to columns by id and renames or drops
// change only the manifest (docs/format/table.md §Schema).

import * as A from "apache-arrow";
import { InvalidArgumentError } from "./errors.js";
import { nearestNames } from "./expr/suggest.js";
import { typeFromJson, typeToJson, type TypeJson } from "./file/schema-json.js";

/** A top-level column: an Arrow field plus the id data files know it by. */
export interface TableField {
  readonly id: number;
  readonly field: A.Field;
}

/** The JSON form of a table field in a manifest. */
export interface TableFieldJson {
  id: number;
  name: string;
  type: TypeJson;
  nullable: boolean;
  metadata?: Record<string, string>;
}

/** The JSON form of a table schema. */
export interface TableSchemaJson {
  fields: TableFieldJson[];
  metadata?: Record<string, string>;
}

/** Immutable schema with field ids. */
export class TableSchema {
  private readonly byName: Map<string, TableField>;
  private readonly byId: Map<number, TableField>;

  constructor(
    readonly fields: readonly TableField[],
    readonly metadata: ReadonlyMap<string, string> = new Map(),
  ) {
    this.byName = new Map(fields.map((f) => [f.field.name, f]));
    this.byId = new Map(fields.map((f) => [f.id, f]));
    if (this.byName.size !== fields.length) throw new InvalidArgumentError("duplicate column names in the schema");
  }

  /** Assigns ids `firstId`, `firstId + 1`, … to the fields of an Arrow schema. */
  static fromArrow(schema: A.Schema, firstId = 0): TableSchema {
    return new TableSchema(
      schema.fields.map((field, i) => ({ id: firstId + i, field })),
      new Map(schema.metadata),
    );
  }

  static fromJson(json: TableSchemaJson): TableSchema {
    return new TableSchema(
      json.fields.map((f) => ({
        id: f.id,
        field: new A.Field(f.name, typeFromJson(f.type), f.nullable, new Map(Object.entries(f.metadata ?? {}))),
      })),
      new Map(Object.entries(json.metadata ?? {})),
    );
  }

  toJson(): TableSchemaJson {
    const out: TableSchemaJson = {
      fields: this.fields.map(({ id, field }) => {
        const f: TableFieldJson = { id, name: field.name, type: typeToJson(field.type, field.name), nullable: field.nullable };
        if (field.metadata.size > 0) f.metadata = Object.fromEntries(field.metadata);
        return f;
      }),
    };
    if (this.metadata.size > 0) out.metadata = Object.fromEntries(this.metadata);
    return out;
  }

  toArrow(): A.Schema {
    return new A.Schema(
      this.fields.map((f) => f.field),
      new Map(this.metadata),
    );
  }

  get names(): string[] {
    return this.fields.map((f) => f.field.name);
  }

  /** The largest id in use, or -1. */
  get maxId(): number {
    return this.fields.reduce((m, f) => Math.max(m, f.id), -1);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  byIdOrUndefined(id: number): TableField | undefined {
    return this.byId.get(id);
  }

  /** The field called `name`; InvalidArgumentError listing the columns otherwise. */
  get(name: string): TableField {
    const f = this.byName.get(name);
    if (f === undefined) {
      const near = nearestNames(name, this.names);
      const hint = near.length > 0 ? `did you mean ${near.map((n) => `"${n}"`).join(" or ")}? ` : "";
      throw new InvalidArgumentError(`no column "${name}"; ${hint}columns are: ${this.names.join(", ")}`, { column: name });
    }
    return f;
  }

  /** The fields named, in that order. */
  select(names: readonly string[]): TableField[] {
    return names.map((n) => this.get(n));
  }

  /** A schema with `added` appended, ids continuing after `nextId`. */
  withAdded(added: readonly A.Field[], nextId: number): TableSchema {
    for (const f of added) {
      if (this.byName.has(f.name)) throw new InvalidArgumentError(`column "${f.name}" already exists`, { column: f.name });
    }
    return new TableSchema([...this.fields, ...added.map((field, i) => ({ id: nextId + i, field }))], this.metadata);
  }

  withoutNames(names: readonly string[]): TableSchema {
    for (const n of names) this.get(n);
    const drop = new Set(names);
    return new TableSchema(
      this.fields.filter((f) => !drop.has(f.field.name)),
      this.metadata,
    );
  }

  withRenamed(from: string, to: string): TableSchema {
    const f = this.get(from);
    if (from !== to && this.byName.has(to)) throw new InvalidArgumentError(`column "${to}" already exists`, { column: to });
    const renamed = new A.Field(to, f.field.type, f.field.nullable, f.field.metadata);
    return new TableSchema(
      this.fields.map((x) => (x.id === f.id ? { id: f.id, field: renamed } : x)),
      this.metadata,
    );
  }
}
