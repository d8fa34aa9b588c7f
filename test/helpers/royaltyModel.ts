// A plain TypeScript model of the flattened royalty table (IDataAssetRegistry.RoyaltyEntry, README "royalties"), used
// by the registry's property tests. It states the rule; it knows nothing about the contract's loops.
//
// The rule, for an asset X deriving from parents (p, bps):
//   - Shares are over DENOMINATOR = 1e16; a parent's share is s = bps * 1e12.
//   - A parent p passes up, out of s, the lines of its own table at depth 1..3: line (q, d, share) of p's table
//     becomes (q, d + 1, floor(bps * share / 10000)) in X's table. Lines at depth 4 are not passed further: they
//     stay with p.
//   - p keeps what it does not pass up: (p, 1, s - the sum of the floored shares it passed up).
//   - Lines are merged only when both payee asset and depth agree (an ancestor reached by paths of different
//     lengths keeps one line per depth); zero shares make no line.
//   - A table of more than 16 lines is refused (RoyaltyTableTooLarge).
//
// `pathShares` states the same table a second way, with exact rationals and without rounding: every path
// X -> p1 -> ... -> pL through positive shares carries prod(bps_i / 10000) times the fraction pL keeps of what reaches
// it (1 - the sum of pL's own parents' bps / 10000). Because each table stops at depth 4 and the direct parent keeps
// what would go further, that share lands on the node at position ((L - 1) mod 4) + 1 of the path.

export const BPS = 10_000n;
export const DENOMINATOR = 10n ** 16n;
export const MAX_DEPTH = 4;
export const MAX_LINES = 16;

/** asset id -> its parents as [parent id, bps] (bps 0 = lineage without a share). Roots map to []. */
export type Lineage = Map<bigint, [bigint, number][]>;

/** `${asset}:${depth}` -> share over DENOMINATOR. */
export type RoyaltyTable = Map<string, bigint>;

export const lineKey = (asset: bigint, depth: number) => `${asset}:${depth}`;

export function parseKey(key: string): [asset: bigint, depth: number] {
  const [asset, depth] = key.split(":");
  return [BigInt(asset), Number(depth)];
}

function add(table: RoyaltyTable, asset: bigint, depth: number, share: bigint) {
  if (share === 0n) return;
  const key = lineKey(asset, depth);
  table.set(key, (table.get(key) ?? 0n) + share);
}

/**
 * The royalty table of `asset` under the rule above, computed from its parents' tables (themselves computed the same
 * way). May hold more than MAX_LINES lines: the caller decides that the contract must then refuse the asset.
 */
export function royaltyTable(lineage: Lineage, asset: bigint, memo = new Map<bigint, RoyaltyTable>()): RoyaltyTable {
  const known = memo.get(asset);
  if (known) return known;
  const parents = lineage.get(asset);
  if (parents === undefined) throw new Error(`royaltyModel: unknown asset ${asset}`);
  const table: RoyaltyTable = new Map();
  for (const [parent, bps] of parents) {
    if (bps === 0) continue;
    const parentShare = BigInt(bps) * (DENOMINATOR / BPS);
    let passedUp = 0n;
    for (const [key, share] of royaltyTable(lineage, parent, memo)) {
      const [ancestor, depth] = parseKey(key);
      if (depth >= MAX_DEPTH) continue; // stays with `parent`
      const passed = (BigInt(bps) * share) / BPS;
      passedUp += passed;
      add(table, ancestor, depth + 1, passed);
    }
    add(table, parent, 1, parentShare - passedUp);
  }
  memo.set(asset, table);
  return table;
}

/** An exact fraction num / den (den > 0). */
export interface Fraction {
  num: bigint;
  den: bigint;
}

/** The table of `asset` from the path formulation above, as exact fractions of DENOMINATOR (no rounding). */
export function pathShares(lineage: Lineage, asset: bigint): Map<string, Fraction> {
  const out = new Map<string, Fraction>();
  const kept = (node: bigint): Fraction => {
    const sum = (lineage.get(node) ?? []).reduce((s, [, bps]) => s + BigInt(bps), 0n);
    return { num: BPS - sum, den: BPS };
  };
  const walk = (path: bigint[], weight: Fraction) => {
    const node = path[path.length - 1];
    const L = path.length - 1;
    if (L > 0) {
      const k = kept(node);
      const share = { num: weight.num * k.num * DENOMINATOR, den: weight.den * k.den };
      const position = ((L - 1) % MAX_DEPTH) + 1;
      const key = lineKey(path[position], position);
      const prev = out.get(key) ?? { num: 0n, den: 1n };
      out.set(key, { num: prev.num * share.den + share.num * prev.den, den: prev.den * share.den });
    }
    for (const [parent, bps] of lineage.get(node) ?? []) {
      if (bps === 0) continue;
      walk([...path, parent], { num: weight.num * BigInt(bps), den: weight.den * BPS });
    }
  };
  walk([asset], { num: 1n, den: 1n });
  for (const [key, f] of out) if (f.num === 0n) out.delete(key);
  return out;
}

/** Sorted [asset, depth, share] lines of a table, for comparisons. */
export function sortedLines(table: RoyaltyTable): [bigint, number, bigint][] {
  return [...table]
    .map(([key, share]): [bigint, number, bigint] => [...parseKey(key), share])
    .sort((a, b) => (a[0] === b[0] ? a[1] - b[1] : a[0] < b[0] ? -1 : 1));
}
