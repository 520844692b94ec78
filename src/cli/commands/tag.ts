// `tessera tag <table> [name]`: create a tag (pinning a version), delete one, or list them.

import { Table } from "../../../index/table.js"; // without the DataFrame engine: a quicker start
import type { CommandContext } from "../context.js";
import { UsageError } from "../errors.js";

/** Options of `tag`. */
export interface TagOptions {
  /** Version to pin; default the latest. */
  version?: number;
  /** Delete the tag `name` instead of creating it. */
  delete?: boolean;
}

/** What `tag` did, and the tags afterwards. */
export interface TagResult {
  uri: string;
  action: "created" | "deleted" | "listed";
  name?: string;
  version?: number;
  tags: { name: string; version: number }[];
}

/** Creates, deletes or lists tags. */
export async function tag(uri: string, name: string | undefined, o: TagOptions, ctx: CommandContext): Promise<TagResult> {
  if (name === undefined && (o.delete === true || o.version !== undefined)) {
    throw new UsageError(`tag: ${o.delete === true ? "--delete" : "--version"} needs a tag name: tessera tag <table> <name> ${o.delete === true ? "--delete" : "--version N"}`);
  }
  if (o.delete === true && o.version !== undefined) throw new UsageError("tag: give either --delete or --version, not both");
  const t = await Table.open(uri, { storage: ctx.storage });
  let action: TagResult["action"] = "listed";
  let version: number | undefined;
  if (name !== undefined && o.delete === true) {
    version = (await t.tags.list()).find((g) => g.name === name)?.version;
    await t.tags.delete(name);
    action = "deleted";
  } else if (name !== undefined) {
    version = o.version ?? t.version;
    await t.tags.create(name, version);
    action = "created";
  }
  return { uri: t.uri, action, ...(name !== undefined ? { name } : {}), ...(version !== undefined ? { version } : {}), tags: await t.tags.list() };
}

/** Human lines of `tag`. */
export function formatTag(r: TagResult): string[] {
  if (r.action === "created") return [`tagged version ${r.version} as "${r.name}"`];
  if (r.action === "deleted") return [`deleted tag "${r.name}"${r.version !== undefined ? ` (it pinned version ${r.version})` : ""}`];
  return r.tags.length === 0 ? ["(no tags)"] : r.tags.map((g) => `${g.name}  → version ${g.version}`);
}
