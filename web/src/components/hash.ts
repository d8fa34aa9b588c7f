// Content hashes in the browser, as `dal` computes them (scripts/dal/hash.ts): a file's SHA-256, streamed (File.stream)
// so a file of any size is never held in memory; a folder's dal-merkle-v1 root:
//   leaf = SHA-256(0x00 || path || 0x00 || SHA-256(file)), paths relative to the folder joined by "/", sorted by
//   their UTF-8 bytes; node = SHA-256(0x01 || left || right), an odd last node promoted unchanged.
import { createSHA256, type IHasher } from "hash-wasm";

export interface Entry {
  /** Path relative to the dropped folder ("/"-joined); the file's name for a single file. */
  path: string;
  file: File;
}

const CHUNK = 8 * 1024 * 1024;
const STREAM_BUFFER = 1024 * 1024;
const utf8 = new TextEncoder();

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** A reader that fills one reused buffer (BYOB), where Blob.stream() is a byte stream; null where it is not. */
function byobReader(file: File): ReadableStreamBYOBReader | null {
  try {
    return file.stream().getReader({ mode: "byob" });
  } catch {
    return null;
  }
}

async function digestFile(h: IHasher, file: File, onBytes: (n: number) => void): Promise<Uint8Array> {
  h.init();
  // File.stream(): the browser reads ahead while this hashes what it has, instead of the hashing waiting for each
  // read in turn. Read into one reused buffer (BYOB): no chunk is left for the garbage collector, so the page's
  // memory stays flat whatever the file's size (chunks from a default reader pile up as external memory between
  // collections: hundreds of MB for a 1 GB file).
  const byob = typeof file.stream === "function" ? byobReader(file) : null;
  if (byob) {
    let buffer = new ArrayBuffer(STREAM_BUFFER);
    for (;;) {
      const { done, value } = await byob.read(new Uint8Array(buffer));
      if (done || !value) break;
      h.update(value);
      onBytes(value.length);
      buffer = value.buffer as ArrayBuffer; // the same memory, handed back by the stream
    }
  } else if (typeof file.stream === "function") {
    const reader = file.stream().getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      h.update(value);
      onBytes(value.length);
    }
  } else {
    for (let at = 0; at < file.size; at += CHUNK) {
      const buf = new Uint8Array(await file.slice(at, at + CHUNK).arrayBuffer());
      h.update(buf);
      onBytes(buf.length);
    }
  }
  return h.digest("binary");
}

const hex = (b: Uint8Array) => "0x" + Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

export async function hashFile(file: File, onProgress: (done: number, total: number) => void): Promise<string> {
  const h = await createSHA256();
  let done = 0;
  onProgress(0, file.size);
  const d = await digestFile(h, file, (n) => onProgress((done += n), file.size));
  return hex(d);
}

export async function hashFolder(entries: Entry[], onProgress: (done: number, total: number) => void): Promise<string> {
  const h = await createSHA256();
  const sorted = entries.map((e) => ({ ...e, bytes: utf8.encode(e.path) })).sort((x, y) => compareBytes(x.bytes, y.bytes));
  const total = sorted.reduce((n, e) => n + e.file.size, 0);
  let done = 0;
  onProgress(0, total);
  let level: Uint8Array[] = [];
  for (const e of sorted) {
    const content = await digestFile(h, e.file, (n) => onProgress((done += n), total));
    h.init();
    h.update(new Uint8Array([0]));
    h.update(e.bytes);
    h.update(new Uint8Array([0]));
    h.update(content);
    level.push(h.digest("binary"));
  }
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      if (i + 1 < level.length) {
        h.init();
        h.update(new Uint8Array([1]));
        h.update(level[i]);
        h.update(level[i + 1]);
        next.push(h.digest("binary"));
      } else next.push(level[i]);
    }
    level = next;
  }
  return hex(level[0]);
}

/** Every file under a dropped directory entry, with its path relative to that directory. */
export async function filesOfEntry(dir: FileSystemDirectoryEntry): Promise<Entry[]> {
  const out: Entry[] = [];
  const walk = async (d: FileSystemDirectoryEntry, prefix: string): Promise<void> => {
    const reader = d.createReader();
    // readEntries answers in batches until an empty one.
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
      if (batch.length === 0) break;
      for (const e of batch) {
        const path = prefix ? `${prefix}/${e.name}` : e.name;
        if (e.isDirectory) await walk(e as FileSystemDirectoryEntry, path);
        else if (e.isFile) out.push({ path, file: await new Promise<File>((res, rej) => (e as FileSystemFileEntry).file(res, rej)) });
      }
    }
  };
  await walk(dir, "");
  return out;
}

/** Files chosen through <input webkitdirectory>: their paths start with the folder's own name, which is dropped. */
export function entriesOfFolderInput(files: FileList): Entry[] {
  return Array.from(files, (file) => ({ path: file.webkitRelativePath.split("/").slice(1).join("/"), file }));
}
