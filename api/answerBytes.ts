// A GraphQL answer's JSON written as bytes into kept buffers, in pieces.
//
// Why: JSON.stringify of a large answer (a balance sheet of 1,274 books is 476 KB) returns a string made of parts; its
// first reader (the byte length for Content-Length, then the UTF-8 copy into a Buffer) flattens it into one fresh
// large object, and the copy is a fresh allocation of the same size. Fresh large allocations cost page faults: here
// ~1.6 ms for the flattening and ~1 ms for the copy of a 476 KB answer, more than JSON.stringify itself. Written in
// pieces (each under V8's large-object size) into a buffer kept from one answer to the next, the same bytes cost
// about 1.4-2 ms in all instead of 4.9.
//
// The bytes are exactly Buffer.from(JSON.stringify(value)) (UTF-8), for any value.

/** A piece aimed at this many characters: well under V8's large-object size (128 KB), so it is allocated young. */
const PIECE_CHARS = 32 * 1024;
/** Buffers are kept for reuse up to this size (a larger answer's buffer is left to the garbage collector)... */
const KEEP_BYTES = 8 * 1024 * 1024;
/** ...and this many of them (a worker answers a few requests at a time). */
const KEEP_BUFFERS = 4;
const FIRST_BYTES = 64 * 1024;

/** Kept buffers not lent out. */
const free: Buffer[] = [];
/**
 * The answers lent out, each its own Buffer object (weakly: one never given back is collected like any other). By the
 * object, not its memory: a stale answer given back again cannot give back the memory lent since to another.
 */
const lent = new WeakSet<Buffer>();

/**
 * The JSON of `value` as UTF-8 bytes, written into a kept buffer lent to the caller: give it back with
 * giveBack(bytes) once nothing reads it any more (for an HTTP answer, once the answer is written), or keep it.
 */
export function answerBytes(value: unknown): Buffer {
  const w = new Writer(free.pop() ?? Buffer.allocUnsafeSlow(FIRST_BYTES));
  w.value(value);
  const bytes = w.buf.subarray(0, w.at);
  lent.add(bytes);
  return bytes;
}

/** Whether `bytes` were lent by answerBytes (and not given back yet). */
export function isLent(bytes: Buffer): boolean {
  return lent.has(bytes);
}

/** Gives back what answerBytes lent, for the next answer. Nothing may read `bytes` afterwards. */
export function giveBack(bytes: Buffer): void {
  if (!lent.delete(bytes)) return;
  if (free.length < KEEP_BUFFERS && bytes.buffer.byteLength <= KEEP_BYTES) free.push(Buffer.from(bytes.buffer));
}

class Writer {
  at = 0;
  constructor(public buf: Buffer) {}

  /** Appends a string as UTF-8 (room for the worst case, 3 bytes a UTF-16 unit, is made first). */
  put(s: string): void {
    if (this.at + s.length * 3 > this.buf.length) this.grow(s.length * 3);
    this.at += this.buf.write(s, this.at, "utf8");
  }

  private grow(need: number): void {
    const next = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.at + need));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }

  /** Writes `v` as JSON.stringify would at this place (`v` is not undefined, a function or a symbol). */
  value(v: unknown): void {
    if (!isPlain(v) || estimate(v) <= PIECE_CHARS) {
      this.put(JSON.stringify(v));
      return;
    }
    if (Array.isArray(v)) {
      this.array(v);
      return;
    }
    this.put("{");
    let first = true;
    for (const key of Object.keys(v)) {
      const x = (v as Record<string, unknown>)[key];
      if (x === undefined || typeof x === "function" || typeof x === "symbol") continue;
      this.put(first ? `${JSON.stringify(key)}:` : `,${JSON.stringify(key)}:`);
      first = false;
      this.value(x);
    }
    this.put("}");
  }

  /**
   * A large array: runs of elements stringified together, each run about PIECE_CHARS long (by its first element's
   * estimate, corrected by what the runs turn out to be); a large element alone is written piece by piece.
   */
  private array(v: unknown[]): void {
    this.put("[");
    let run = Math.max(1, Math.floor(PIECE_CHARS / Math.max(1, estimate(v[0]))));
    for (let i = 0; i < v.length; ) {
      if (i > 0) this.put(",");
      const x = v[i];
      if (run === 1 && isPlain(x) && estimate(x) > PIECE_CHARS) {
        this.value(x);
        i++;
        continue;
      }
      const part = v.slice(i, i + run);
      i += part.length;
      const s = JSON.stringify(part); // "[a,b,c]": the brackets are dropped
      this.put(s.slice(1, -1));
      if (s.length > 2 * PIECE_CHARS) run = Math.max(1, run >> 1);
      else if (s.length < PIECE_CHARS / 4) run *= 2;
    }
    this.put("]");
  }
}

/** Arrays and plain objects (not a class's instance, which may have toJSON): the values written piece by piece. */
function isPlain(v: unknown): v is object {
  if (typeof v !== "object" || v === null) return false;
  if (Array.isArray(v)) return true;
  const proto = Object.getPrototypeOf(v);
  return (proto === Object.prototype || proto === null) && typeof (v as { toJSON?: unknown }).toJSON !== "function";
}

/**
 * About how many characters `v`'s JSON has, from a sample: an array counts as its length times its first element.
 * Cheap (one path through the value), and only decides how the value is cut into pieces, never what is written.
 */
function estimate(v: unknown, depth = 0): number {
  if (typeof v === "string") return v.length + 2;
  if (!isPlain(v) || depth > 8) return 8;
  if (Array.isArray(v)) return v.length === 0 ? 2 : v.length * (estimate(v[0], depth + 1) + 1);
  let n = 2;
  for (const key of Object.keys(v)) n += key.length + 4 + estimate((v as Record<string, unknown>)[key], depth + 1);
  return n;
}
