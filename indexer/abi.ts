// Fast ABI decoding of event logs straight into the index's plain values. ethers' decodeEventLog costs 100-450 µs
// per event here (Result objects, checksums recomputed for every address); this walks the ABI layout once over a
// Buffer and caches address checksums, about 20x faster. test/indexer/abi.test.ts checks it against ethers.
//
// Values: integers up to 48 bits become numbers, wider ones decimal strings; addresses EIP-55 checksummed; bytes
// lowercase 0x hex; strings UTF-8; tuples objects keyed by component name; arrays arrays.
import { getAddress, type EventFragment, type ParamType } from "ethers";

const checksums = new Map<string, string>();
function checksummed(lower: string): string {
  let a = checksums.get(lower);
  if (a === undefined) {
    a = getAddress(lower);
    if (checksums.size > 100_000) checksums.clear(); // bounded: addresses repeat, but never without limit
    checksums.set(lower, a);
  }
  return a;
}

/** How one ABI type is read: whether it is dynamic, the bytes it takes in a head, and its reader. */
interface Layout {
  dynamic: boolean;
  head: number;
  /** The value whose head is at `at`, inside an encoding that starts at `base`. */
  read(buf: Buffer, at: number, base: number): unknown;
}

// Layouts are worked out once per type (ethers keeps its fragments' ParamTypes): decoding a log then only walks bytes.
const layouts = new WeakMap<ParamType, Layout>();

function layout(t: ParamType): Layout {
  let l = layouts.get(t);
  if (!l) {
    l = makeLayout(t);
    layouts.set(t, l);
  }
  return l;
}

function makeLayout(t: ParamType): Layout {
  if (t.isTuple()) {
    const fields = t.components.map((c) => ({ name: c.name, layout: layout(c) }));
    const dynamic = fields.some((f) => f.layout.dynamic);
    const readTuple = (buf: Buffer, base: number) => tuple(fields, buf, base);
    return dynamic
      ? { dynamic, head: 32, read: (buf, at, base) => readTuple(buf, base + offset(buf, at)) }
      : { dynamic, head: fields.reduce((n, f) => n + f.layout.head, 0), read: (buf, at) => readTuple(buf, at) };
  }
  if (t.isArray()) {
    const child = layout(t.arrayChildren);
    const fixed = t.arrayLength;
    if (fixed === -1) {
      return {
        dynamic: true,
        head: 32,
        read: (buf, at, base) => {
          const start = base + offset(buf, at);
          return list(child, offset(buf, start), buf, start + 32);
        },
      };
    }
    return child.dynamic
      ? { dynamic: true, head: 32, read: (buf, at, base) => list(child, fixed, buf, base + offset(buf, at)) }
      : { dynamic: false, head: fixed * child.head, read: (buf, at) => list(child, fixed, buf, at) };
  }
  const type = t.baseType;
  if (type === "string" || type === "bytes") {
    return {
      dynamic: true,
      head: 32,
      read: (buf, at, base) => {
        const start = base + offset(buf, at);
        const len = offset(buf, start);
        if (start + 32 + len > buf.length) throw new Error("ABI bytes beyond data");
        return type === "string" ? buf.toString("utf8", start + 32, start + 32 + len) : "0x" + buf.toString("hex", start + 32, start + 32 + len);
      },
    };
  }
  const elementary = (read: (buf: Buffer, at: number) => unknown): Layout => ({
    dynamic: false,
    head: 32,
    read: (buf, at) => {
      if (at + 32 > buf.length) throw new Error(`ABI data too short: word at ${at} of ${buf.length} bytes`);
      return read(buf, at);
    },
  });
  if (type === "address") return elementary((buf, at) => checksummed("0x" + buf.toString("hex", at + 12, at + 32)));
  if (type === "bool") return elementary((buf, at) => buf[at + 31] === 1);
  const int = /^(u?)int(\d+)$/.exec(type);
  if (int) {
    const signed = int[1] === "";
    const small = Number(int[2]) <= 48;
    return elementary((buf, at) => {
      let v = word(buf, at);
      if (signed && v >> 255n === 1n) v -= 1n << 256n; // two's complement
      return small ? Number(v) : v.toString();
    });
  }
  const fixedBytes = /^bytes(\d+)$/.exec(type);
  if (fixedBytes) {
    const n = Number(fixedBytes[1]);
    return elementary((buf, at) => "0x" + buf.toString("hex", at, at + n));
  }
  throw new Error(`ABI type ${t.type} not supported`);
}

function word(buf: Buffer, at: number): bigint {
  if (at + 32 > buf.length) throw new Error(`ABI data too short: word at ${at} of ${buf.length} bytes`);
  // Most words are small: read the high 24 bytes only to check they are zero.
  if (buf.readBigUInt64BE(at) === 0n && buf.readBigUInt64BE(at + 8) === 0n && buf.readBigUInt64BE(at + 16) === 0n) {
    return buf.readBigUInt64BE(at + 24);
  }
  return BigInt("0x" + buf.toString("hex", at, at + 32));
}

function offset(buf: Buffer, at: number): number {
  const v = word(buf, at);
  if (v > BigInt(buf.length)) throw new Error(`ABI offset ${v} beyond ${buf.length} bytes`);
  return Number(v);
}

function list(child: Layout, len: number, buf: Buffer, base: number): unknown[] {
  if (len > buf.length) throw new Error(`ABI array length ${len} beyond data`);
  const out = new Array(len);
  for (let i = 0; i < len; i++) out[i] = child.read(buf, base + i * child.head, base);
  return out;
}

function tuple(fields: readonly { name: string; layout: Layout }[], buf: Buffer, base: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let at = base;
  for (const f of fields) {
    out[f.name] = f.layout.read(buf, at, base);
    at += f.layout.head;
  }
  return out;
}

/** An event's inputs in order: each read from the data (by its offset in the non-indexed head) or from a topic. */
type EventPlan = { name: string; topic: number; layout: Layout; hashOnly: boolean; at: number }[];
const plans = new WeakMap<EventFragment, EventPlan>();

function planOf(fragment: EventFragment): EventPlan {
  let plan = plans.get(fragment);
  if (!plan) {
    let topic = fragment.anonymous ? 0 : 1;
    let at = 0;
    plan = fragment.inputs.map((p) => {
      const l = layout(p);
      if (p.indexed) return { name: p.name, topic: topic++, layout: l, hashOnly: l.dynamic || p.isTuple() || p.isArray(), at: -1 };
      const step = { name: p.name, topic: -1, layout: l, hashOnly: false, at };
      at += l.head;
      return step;
    });
    plans.set(fragment, plan);
  }
  return plan;
}

/** Decodes an event log's topics and data by its fragment. Indexed dynamic values come back as their topic hash. */
export function decodeEvent(fragment: EventFragment, topics: string[], data: string): Record<string, unknown> {
  const buf = Buffer.from(data.slice(2), "hex");
  const args: Record<string, unknown> = {};
  for (const p of planOf(fragment)) {
    if (p.topic < 0) {
      args[p.name] = p.layout.read(buf, p.at, 0);
      continue;
    }
    const t = topics[p.topic];
    if (t === undefined) throw new Error(`${fragment.name}: missing topic for ${p.name}`);
    args[p.name] = p.hashOnly ? t.toLowerCase() : p.layout.read(Buffer.from(t.slice(2), "hex"), 0, 0);
  }
  return args;
}
