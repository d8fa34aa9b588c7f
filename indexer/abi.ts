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

function isDynamic(t: ParamType): boolean {
  if (t.baseType === "string" || t.baseType === "bytes") return true;
  if (t.isArray()) return t.arrayLength === -1 || isDynamic(t.arrayChildren);
  if (t.isTuple()) return t.components.some(isDynamic);
  return false;
}

/** Bytes a static type takes in the head. */
function headSize(t: ParamType): number {
  if (isDynamic(t)) return 32;
  if (t.isArray()) return t.arrayLength * headSize(t.arrayChildren);
  if (t.isTuple()) return t.components.reduce((n, c) => n + headSize(c), 0);
  return 32;
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

function integer(t: ParamType, buf: Buffer, at: number): number | string {
  const bits = Number(/^u?int(\d+)$/.exec(t.type)?.[1] ?? 256);
  let v = word(buf, at);
  if (t.baseType.startsWith("int") && v >> 255n === 1n) v -= 1n << 256n; // two's complement
  return bits <= 48 ? Number(v) : v.toString();
}

/** Decodes one value of type `t` whose head is at `at`, inside an encoding that starts at `base`. */
function value(t: ParamType, buf: Buffer, at: number, base: number): unknown {
  if (isDynamic(t)) {
    const start = base + offset(buf, at);
    if (t.baseType === "string" || t.baseType === "bytes") {
      const len = offset(buf, start);
      if (start + 32 + len > buf.length) throw new Error("ABI bytes beyond data");
      return t.baseType === "string"
        ? buf.toString("utf8", start + 32, start + 32 + len)
        : "0x" + buf.toString("hex", start + 32, start + 32 + len);
    }
    if (t.isArray()) {
      const len = t.arrayLength === -1 ? offset(buf, start) : t.arrayLength;
      const body = t.arrayLength === -1 ? start + 32 : start;
      return list(t.arrayChildren, len, buf, body);
    }
    return tuple(t.components!, buf, start);
  }
  if (t.isTuple()) return tuple(t.components!, buf, at);
  if (t.isArray()) return list(t.arrayChildren, t.arrayLength, buf, at);
  switch (t.baseType) {
    case "address":
      return checksummed("0x" + buf.toString("hex", at + 12, at + 32));
    case "bool":
      return buf[at + 31] === 1;
    default:
      if (t.baseType.startsWith("uint") || t.baseType.startsWith("int")) return integer(t, buf, at);
      if (/^bytes\d+$/.test(t.baseType)) return "0x" + buf.toString("hex", at, at + Number(t.baseType.slice(5)));
      throw new Error(`ABI type ${t.type} not supported`);
  }
}

function list(child: ParamType, len: number, buf: Buffer, base: number): unknown[] {
  const size = headSize(child);
  if (len > buf.length) throw new Error(`ABI array length ${len} beyond data`);
  const out = new Array(len);
  for (let i = 0; i < len; i++) out[i] = value(child, buf, base + i * size, base);
  return out;
}

function tuple(components: readonly ParamType[], buf: Buffer, base: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let at = base;
  for (const c of components) {
    out[c.name] = value(c, buf, at, base);
    at += headSize(c);
  }
  return out;
}

/** Decodes an event log's topics and data by its fragment. Indexed dynamic values come back as their topic hash. */
export function decodeEvent(fragment: EventFragment, topics: string[], data: string): Record<string, unknown> {
  const buf = Buffer.from(data.slice(2), "hex");
  const args: Record<string, unknown> = {};
  const nonIndexed = fragment.inputs.filter((p) => !p.indexed);
  const decoded = tuple(nonIndexed, buf, 0);
  let topic = fragment.anonymous ? 0 : 1;
  for (const p of fragment.inputs) {
    if (!p.indexed) {
      args[p.name] = decoded[p.name];
      continue;
    }
    const t = topics[topic++];
    if (t === undefined) throw new Error(`${fragment.name}: missing topic for ${p.name}`);
    args[p.name] = isDynamic(p) || p.isTuple() || p.isArray() ? t.toLowerCase() : value(p, Buffer.from(t.slice(2), "hex"), 0, 0);
  }
  return args;
}
