// Content hashes, computed locally: the data never leaves the machine, only its hash goes on chain.
//
// A file: SHA-256 of its bytes, streamed (any size, constant memory).
// A directory ("dal-merkle-v1"), so that anyone holding the same tree gets the same root:
//   1. Take every regular file under the directory, recursively, hidden files included. Empty directories add
//      nothing. A symbolic link or any other special file is refused: its meaning would depend on the machine.
//   2. Name each file by its path relative to the directory, segments joined by "/", UTF-8; sort the paths by
//      their UTF-8 bytes (locale-independent).
//   3. leaf = SHA-256(0x00 || path || 0x00 || SHA-256(file bytes)). Paths cannot contain NUL, so the split between
//      path and digest is unambiguous.
//   4. Pair the nodes of a level left to right: node = SHA-256(0x01 || left || right); an odd last node is promoted
//      to the next level unchanged. Repeat until one node is left: that is the content hash.
//   The 0x00 / 0x01 prefixes (as in RFC 6962) keep a leaf from ever being taken for an inner node. A directory with
//   one file has that file's leaf as root, which differs from the file's own hash: the path is part of the content.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { EXIT, DalError, usage } from "./exit";
import { isHash } from "./parse";

export interface ContentHash {
  /** 0x-prefixed SHA-256 (file) or Merkle root (directory). */
  hash: string;
  kind: "file" | "directory";
  files: number;
  bytes: bigint;
}

/** Reports bytes hashed so far; a terminal shows it as a progress bar. */
export interface Progress {
  start(totalBytes: number): void;
  advance(bytes: number): void;
  stop(): void;
}

const hex = (b: Buffer) => "0x" + b.toString("hex");

async function sha256File(file: string, progress?: Progress): Promise<Buffer> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    h.update(chunk as Buffer);
    progress?.advance((chunk as Buffer).length);
  }
  return h.digest();
}

/** Every regular file under `dir` as [relative path with "/", absolute path], sorted by UTF-8 bytes of the path. */
async function listFiles(dir: string): Promise<[string, string][]> {
  const out: [string, string][] = [];
  const walk = async (abs: string, rel: string) => {
    for (const entry of await readdir(abs, { withFileTypes: true })) {
      const a = join(abs, entry.name);
      const r = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(a, r);
      else if (entry.isFile()) out.push([r, a]);
      else throw usage(`${a} is a symbolic link or special file; a directory's hash takes regular files only`);
    }
  };
  await walk(dir, "");
  return out.sort((x, y) => Buffer.compare(Buffer.from(x[0], "utf8"), Buffer.from(y[0], "utf8")));
}

export function leaf(path: string, contentDigest: Buffer): Buffer {
  return createHash("sha256").update(Buffer.from([0])).update(path, "utf8").update(Buffer.from([0])).update(contentDigest).digest();
}

/** Root over leaves in order: pairs hashed with a 0x01 prefix, an odd last node promoted unchanged. */
export function merkleRoot(leaves: Buffer[]): Buffer {
  let level = leaves;
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(i + 1 < level.length ? createHash("sha256").update(Buffer.from([1])).update(level[i]).update(level[i + 1]).digest() : level[i]);
    }
    level = next;
  }
  return level[0];
}

/** The content hash of a file or directory (see the construction at the top of this file). */
export async function hashPath(path: string, progress?: Progress): Promise<ContentHash> {
  // The path named on the command line may be a link (followed); links inside a directory are refused (listFiles).
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw usage(err.code === "ENOENT" ? `${path}: no such file or directory` : `${path}: ${err.message}`);
  });
  if (info.isFile()) {
    progress?.start(info.size);
    try {
      return { hash: hex(await sha256File(path, progress)), kind: "file", files: 1, bytes: BigInt(info.size) };
    } finally {
      progress?.stop();
    }
  }
  if (!info.isDirectory()) throw usage(`${path} is neither a regular file nor a directory`);
  const files = await listFiles(path);
  if (files.length === 0) throw usage(`${path} has no files to hash`);
  const sizes = await Promise.all(files.map(([, abs]) => stat(abs).then((s) => s.size)));
  const total = sizes.reduce((a, b) => a + b, 0);
  progress?.start(total);
  try {
    const leaves: Buffer[] = [];
    for (const [rel, abs] of files) leaves.push(leaf(rel, await sha256File(abs, progress)));
    return { hash: hex(merkleRoot(leaves)), kind: "directory", files: files.length, bytes: BigInt(total) };
  } finally {
    progress?.stop();
  }
}

/** `--evidence`, `--proof`, `--report`, `--scope-file`: a 32-byte hash as typed, else the hash of that file or
 * directory. */
export async function hashArg(flag: string, value: string): Promise<string> {
  if (isHash(value)) {
    if (/^0x0{64}$/.test(value)) throw usage(`${flag}: the zero hash stands for nothing`);
    return value.toLowerCase();
  }
  try {
    return (await hashPath(value)).hash;
  } catch (err) {
    if (err instanceof DalError && err.code === EXIT.USAGE) throw usage(`${flag}: ${err.message} (give a file, a directory or a 0x hash of 64 hex digits)`);
    throw err;
  }
}

/** Canonical JSON (keys sorted, no spaces), so a generated document hashes the same wherever it is rebuilt. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(typeof value === "bigint" ? value.toString() : value);
}

export const sha256Hex = (data: string | Buffer) => hex(createHash("sha256").update(data).digest());

/** A JSON document given as a file: its hash is over the exact bytes, so the published file verifies as is. */
export async function jsonFile(flag: string, file: string): Promise<{ bytes: Buffer; value: Record<string, unknown>; hash: string }> {
  const bytes = await readFile(file).catch(() => {
    throw usage(`${flag}: cannot read ${file}`);
  });
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString("utf8"));
  } catch (err) {
    throw usage(`${flag}: ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) throw usage(`${flag}: ${file} must hold a JSON object`);
  return { bytes, value: value as Record<string, unknown>, hash: sha256Hex(bytes) };
}
