// Which columns of `assets` to read for a selection of Asset fields. A row of every column costs: 51 of them (a page
// of 50 and the one telling whether there is a next) took 0.59 ms to read, the columns a list shows 0.21 ms, a
// quarter of the page's whole answer. Two choices only, the list's columns or all of them, so that the statements
// prepared for these reads stay few whatever fields clients combine.
import type { GraphQLResolveInfo, SelectionNode } from "graphql";

/** The columns a list of assets shows (the registry's pages, the web app's lists, a balance sheet's rows). */
export const LIST_COLUMNS = [
  "id", "name", "kind", "source_type", "grade", "status", "registrar_id", "registration_number", "applicant", "holder",
  "submitted_at", "notice_ends_at", "approved_at", "valid_until", "ended_at", "open_objections", "content_hash",
] as const;

/**
 * The Asset fields whose resolvers (or the default one) read nothing of their row but LIST_COLUMNS. Every other field
 * is given the whole row. test/api/queries.test.ts asks each of these of a page and of the asset alone.
 */
export const LIST_FIELDS = new Set([
  "__typename", "id", "name", "kind", "sourceType", "grade", "status",
  "validNow", // approved_at, valid_until, status, ended_at
  "registrar", // registrar_id
  "registrationNumber", "applicant", "holder", "submittedAt", "noticeEndsAt", "approvedAt", "validUntil", "endedAt",
  "openObjections", "contentHash",
]);

/**
 * The columns to read for the Asset fields asked at `path` below the resolver's own field (["nodes"] of a page,
 * ["rows", "asset"] of a balance sheet): LIST_COLUMNS when every one is in LIST_FIELDS; null (read every column) for
 * any other field, or a fragment on the way.
 */
export function assetColumnsAt(info: GraphQLResolveInfo, path: readonly string[]): readonly string[] | null {
  let selections: readonly SelectionNode[] = info.fieldNodes.flatMap((n) => n.selectionSet?.selections ?? []);
  for (const name of path) {
    const found: SelectionNode[] = [];
    for (const sel of selections) {
      if (sel.kind !== "Field") return null;
      if (sel.name.value === name) found.push(...(sel.selectionSet?.selections ?? []));
    }
    selections = found;
  }
  for (const sel of selections) if (sel.kind !== "Field" || !LIST_FIELDS.has(sel.name.value)) return null;
  return LIST_COLUMNS;
}
