// An event's arguments typed and named by the emitting contract's ABI, for people and the web app: the index keeps
// them as JSON text (indexer/abi.ts); this walks the same ABI fragment beside that JSON, so a tuple's fields, an
// array's items and an enum's name come out as fields instead of text to parse.
import {
  AssetLedger__factory,
  DataAssetRegistry__factory,
  DataExchange__factory,
  PledgeRegistry__factory,
  RelayForwarder__factory,
  RightsCertificate__factory,
} from "../typechain-types";
import * as ENUMS from "../indexer/enums";

/** One argument (or a tuple's field, or an array's item). */
export interface EventArgument {
  name: string;
  /** Solidity type: uint256, address, bytes32, string, bool, tuple, uint256[], …; an enum is "enum <Name>". */
  type: string;
  /** Scalars as text: integers exact in decimal, addresses checksummed, bytes 0x hex; null for a tuple or array. */
  value: string | null;
  /** An enum value's name (e.g. Product); null otherwise or when the ordinal is unknown. */
  label: string | null;
  indexed: boolean;
  /** A tuple's fields or an array's items ([0], [1], …); empty for a scalar. */
  components: EventArgument[];
}

interface AbiParam {
  name: string;
  type: string;
  internalType?: string;
  indexed?: boolean;
  components?: readonly AbiParam[];
}

/** Enums the index has no table of (indexer/enums.ts has the rest), as the contracts declare them. */
const MORE_ENUMS: Record<string, readonly string[]> = {
  AttestationKind: ["Compliance", "Quality", "Appraisal"],
  OrderStatus: ["None", "Paid", "Delivered", "Disputed", "Settled", "Refunded", "Remedied"],
};

const ABIS: Record<string, readonly any[]> = {
  DataAssetRegistry: DataAssetRegistry__factory.abi,
  RightsCertificate: RightsCertificate__factory.abi,
  DataExchange: DataExchange__factory.abi,
  AssetLedger: AssetLedger__factory.abi,
  RelayForwarder: RelayForwarder__factory.abi,
  PledgeRegistry: PledgeRegistry__factory.abi,
};

const EVENTS = new Map<string, readonly AbiParam[]>();
for (const [contract, abi] of Object.entries(ABIS)) {
  for (const item of abi) if (item.type === "event") EVENTS.set(`${contract}.${item.name}`, item.inputs as AbiParam[]);
}

/** The event's inputs by contract and event name; undefined when the ABI has no such event. */
export function eventInputs(contract: string, name: string): readonly AbiParam[] | undefined {
  return EVENTS.get(`${contract}.${name}`);
}

function enumNames(internalType: string | undefined): readonly string[] | null {
  const m = /^enum (?:\w+\.)?(\w+)$/.exec(internalType ?? "");
  if (!m) return null;
  const table = (ENUMS as Record<string, unknown>)[m[1]] ?? MORE_ENUMS[m[1]];
  return Array.isArray(table) ? (table as readonly string[]) : null;
}

const text = (v: unknown): string | null => (v === null || v === undefined ? null : typeof v === "object" ? JSON.stringify(v) : String(v));

function argument(p: AbiParam, name: string, value: unknown, indexed: boolean): EventArgument {
  const arrayMatch = /^(.*)\[(\d*)\]$/.exec(p.type);
  if (arrayMatch && Array.isArray(value)) {
    const child: AbiParam = { ...p, type: arrayMatch[1], internalType: p.internalType?.replace(/\[\d*\]$/, "") };
    return {
      name,
      type: p.type,
      value: null,
      label: null,
      indexed,
      components: value.map((v, i) => argument(child, `[${i}]`, v, false)),
    };
  }
  if (p.type === "tuple" && value && typeof value === "object") {
    const v = value as Record<string, unknown>;
    return {
      name,
      type: "tuple",
      value: null,
      label: null,
      indexed,
      components: (p.components ?? []).map((c) => argument(c, c.name, v[c.name], false)),
    };
  }
  const names = enumNames(p.internalType);
  const enumName = names ? /(\w+)$/.exec(p.internalType!)![1] : null;
  return {
    name,
    type: enumName ? `enum ${enumName}` : p.type,
    value: text(value),
    label: names && typeof value === "number" ? names[value] ?? null : null,
    indexed,
    components: [],
  };
}

/**
 * The named, typed arguments of an indexed event: `args` is its JSON text from the index. An event the ABI does not
 * know (kept verbatim by the indexer as topics and data) gives its JSON keys with type "unknown".
 */
export function eventArguments(contract: string, name: string, args: string): EventArgument[] {
  const values = JSON.parse(args) as Record<string, unknown>;
  const inputs = eventInputs(contract, name);
  if (!inputs) {
    return Object.entries(values).map(([k, v]) => ({ name: k, type: "unknown", value: text(v), label: null, indexed: false, components: [] }));
  }
  // A dynamic indexed argument (string, bytes, array, tuple) is only its hash in a topic.
  return inputs.map((p) => argument(p, p.name, values[p.name], p.indexed === true));
}
