// Keyset (cursor) pagination: the cursor is the opaque encoding of the last row's sort key, so pages stay stable
// while the index grows and a page costs the same at any depth.
import { badInput } from "./inputs";

export interface Page<T> {
  nodes: T[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export function encodeCursor(key: number): string {
  return Buffer.from(`k:${key}`).toString("base64url");
}

export function decodeCursor(cursor: string | null | undefined): number | null {
  if (cursor === null || cursor === undefined) return null;
  const m = /^k:(-?\d{1,16})$/.exec(Buffer.from(cursor, "base64url").toString());
  if (!m) throw badInput(`after: "${cursor}" is not a cursor from this API (use pageInfo.endCursor)`);
  return Number(m[1]);
}

/** Builds a page from `first + 1` fetched rows (the extra one only says whether more exist). */
export function page<T>(rows: T[], first: number, keyOf: (row: T) => number): Page<T> {
  const nodes = rows.slice(0, first);
  return {
    nodes,
    pageInfo: { hasNextPage: rows.length > first, endCursor: nodes.length ? encodeCursor(keyOf(nodes[nodes.length - 1])) : null },
  };
}
