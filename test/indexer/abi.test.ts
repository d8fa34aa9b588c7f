// The indexer's own ABI decoder (indexer/abi.ts) must read every event of every contract exactly as ethers does:
// random values for every parameter of every event, encoded by ethers, decoded by both, compared.
import { expect } from "chai";
import fc from "fast-check";
import { Interface, ParamType, Wallet } from "ethers";
import { decodeEvent } from "../../indexer/abi";
import {
  AssetLedger__factory,
  DataAssetRegistry__factory,
  DataExchange__factory,
  PledgeRegistry__factory,
  RelayForwarder__factory,
  RightsCertificate__factory,
} from "../../typechain-types";

const INTERFACES = [
  DataAssetRegistry__factory,
  RightsCertificate__factory,
  DataExchange__factory,
  AssetLedger__factory,
  RelayForwarder__factory,
  PledgeRegistry__factory,
].map(
  (f) => f.createInterface() as unknown as Interface,
);

/** A random value of an ABI type, as ethers accepts it for encoding. */
function arbitrary(t: ParamType): fc.Arbitrary<unknown> {
  if (t.isArray()) {
    const child = arbitrary(t.arrayChildren);
    return t.arrayLength === -1 ? fc.array(child, { maxLength: 5 }) : fc.array(child, { minLength: t.arrayLength, maxLength: t.arrayLength });
  }
  if (t.isTuple()) return fc.tuple(...t.components.map(arbitrary));
  if (t.baseType === "address") return fc.constantFrom(...Array.from({ length: 8 }, () => Wallet.createRandom().address.toLowerCase()));
  if (t.baseType === "bool") return fc.boolean();
  if (t.baseType === "string") return fc.string({ unit: "grapheme", maxLength: 40 });
  if (t.baseType === "bytes") return fc.uint8Array({ maxLength: 70 }).map((b) => "0x" + Buffer.from(b).toString("hex"));
  const fixed = /^bytes(\d+)$/.exec(t.baseType);
  if (fixed) return fc.uint8Array({ minLength: Number(fixed[1]), maxLength: Number(fixed[1]) }).map((b) => "0x" + Buffer.from(b).toString("hex"));
  const int = /^(u?)int(\d+)$/.exec(t.baseType);
  if (int) {
    const bits = BigInt(int[2]);
    const max = (1n << (int[1] ? bits : bits - 1n)) - 1n;
    const min = int[1] ? 0n : -(1n << (bits - 1n));
    return fc.oneof(fc.bigInt({ min, max }), fc.constantFrom(min, max, 0n, 1n));
  }
  throw new Error(`no arbitrary for ${t.type}`);
}

/** What the indexer stores, computed from ethers' decoding (the reference). */
function reference(t: ParamType, v: any): unknown {
  if (t.isArray()) return Array.from(v as ArrayLike<unknown>, (x) => reference(t.arrayChildren, x));
  if (t.isTuple()) return Object.fromEntries(t.components.map((c, i) => [c.name, reference(c, v[i])]));
  if (typeof v === "bigint") return Number(/^u?int(\d+)$/.exec(t.type)![1]) <= 48 ? Number(v) : v.toString();
  if (typeof v === "string" && t.baseType.startsWith("bytes")) return v.toLowerCase();
  return v;
}

describe("indexer: ABI decoding", () => {
  const seen = new Set<string>(); // events shared by several contracts (AccessControl, ERC-721) are tested once
  for (const iface of INTERFACES) {
    iface.forEachEvent((fragment) => {
      if (seen.has(fragment.topicHash)) return;
      seen.add(fragment.topicHash);
      it(`decodes ${fragment.name} exactly as ethers`, () => {
        fc.assert(
          fc.property(fc.tuple(...fragment.inputs.map(arbitrary)), (values) => {
            const log = iface.encodeEventLog(fragment, values);
            const ours = decodeEvent(fragment, log.topics, log.data);
            const theirs = iface.decodeEventLog(fragment, log.data, log.topics);
            const expected = Object.fromEntries(fragment.inputs.map((p, i) => [p.name, reference(p, theirs[i])]));
            expect(ours).to.deep.equal(expected);
          }),
          { numRuns: 40 },
        );
      });
    });
  }

  it("refuses data too short for its layout instead of reading past it", () => {
    const iface = INTERFACES[2];
    const fragment = iface.getEvent("Settled")!;
    const s = { orderId: 1, listingId: 2, assetId: 3, offer: 0, buyer: Wallet.createRandom().address, seller: Wallet.createRandom().address, token: Wallet.createRandom().address, gross: 10, venueId: 1, venueTreasury: Wallet.createRandom().address, exchangeFee: 1, merchant: Wallet.createRandom().address, merchantCommission: 0, royalties: [], sellerNet: 9, certId: 4, settledAt: 5 };
    const log = iface.encodeEventLog(fragment, [1, s.buyer, s.seller, s]);
    expect(() => decodeEvent(fragment, log.topics, log.data.slice(0, 200))).to.throw(/ABI/);
  });
});
