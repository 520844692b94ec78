// Local paths and file:// URLs for url.download, behind a policy: refused unless the options allow local files,
// and with a `root`, only paths that resolve inside it once every symlink is followed (so neither `..` nor a link
// planted in the data directory reaches /etc/passwd or ~/.aws/credentials).

import { constants as fsc } from "node:fs";
import * as fs from "node:fs/promises";
import * as nodePath from "node:path";
import { fileURLToPath } from "node:url";
import { InvalidArgumentError } from "../../../format/errors.js";
import { mapFsError } from "../../../format/store/local.js";
import { LocalFileAccessError, UrlSetupError } from "./errors.js";
import { tooLarge } from "./http.js";

const HOW_TO_ALLOW =
  "url.download reads no local files by default; pass { root: \"/data/dir\" } to read only under a directory, " +
  "or { allowLocalFiles: true } to read any local path";

/** Which local files a download may read. */
export class LocalFilePolicy {
  /** The root with its symlinks resolved, computed on first use (a missing root fails the query, not a row). */
  private realRoot: Promise<string> | undefined;

  constructor(
    private readonly allow: boolean,
    private readonly root: string | undefined,
  ) {}

  /** The real path `location` (a path or file:// URL) may be read at; throws LocalFileAccessError when refused. */
  async resolve(location: string): Promise<string> {
    const path = toPath(location);
    if (this.root === undefined) {
      if (!this.allow) throw new LocalFileAccessError(`refused to read the local file ${path}: ${HOW_TO_ALLOW}`, { path });
      return nodePath.resolve(path);
    }
    const root = nodePath.resolve(this.root);
    const realRoot = await this.rootReal();
    const wanted = nodePath.resolve(root, path);
    // Checked before touching the disk: a `..` escape is refused even when its target does not exist.
    if (!inside(root, wanted) && !inside(realRoot, wanted)) throw outside(path, root, "");
    const real = await fs.realpath(wanted).catch((err: unknown) => {
      throw mapFsError(err, wanted, "read");
    });
    if (!inside(realRoot, real)) throw outside(path, root, ` (it resolves to ${real} through a symlink)`);
    return real;
  }

  private rootReal(): Promise<string> {
    this.realRoot ??= fs.realpath(nodePath.resolve(this.root!)).catch((err: unknown) => {
      throw new UrlSetupError(`url.download: root ${this.root} cannot be used: ${(err as Error).message}`, { path: this.root!, cause: err });
    });
    return this.realRoot;
  }
}

/** Reads a path the policy returned: a regular file only, checked against `maxBytes` before reading. */
export async function readLocalFile(real: string, maxBytes: number): Promise<Uint8Array> {
  let handle: fs.FileHandle;
  try {
    // O_NOFOLLOW: should the last component have become a symlink since realpath, refuse rather than follow it.
    handle = await fs.open(real, fsc.O_RDONLY | fsc.O_NOFOLLOW);
  } catch (err) {
    throw mapFsError(err, real, "read");
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new InvalidArgumentError(`${real} is not a regular file`, { path: real });
    if (stat.size > maxBytes) throw tooLarge(maxBytes, stat.size);
    const b = await handle.readFile();
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (err) {
    throw mapFsError(err, real, "read");
  } finally {
    await handle.close();
  }
}

function toPath(location: string): string {
  if (!/^file:\/\//i.test(location)) return location;
  try {
    return fileURLToPath(location);
  } catch (err) {
    throw new InvalidArgumentError(`invalid file URL ${location}: use file:///absolute/path or a plain path`, { cause: err });
  }
}

function inside(dir: string, path: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(nodePath.sep) ? dir : dir + nodePath.sep);
}

function outside(path: string, root: string, why: string): LocalFileAccessError {
  return new LocalFileAccessError(`refused to read ${path}: it is outside root ${root}${why}`, { path });
}
