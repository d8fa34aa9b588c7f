// Rights certificates: who may use or operate an asset's data, under which grant chain, valid when.
import { prepared, type Context, type Row } from "../context";
import { address, id, instant, iso, pageSize } from "../inputs";
import { decodeCursor, page } from "../pagination";
import { assetActiveAt } from "./registry";

/** RightsCertificate.isValid(id, at): every link of the grant chain unrevoked and in term, and the asset in force. */
export async function validAt(cert: Row, at: number, ctx: Context): Promise<boolean> {
  for (let c: Row | null = cert; c; c = c.parent_id === null ? null : await ctx.loaders.certificate.load(c.parent_id)) {
    if (c.revoked_at !== null && at >= c.revoked_at) return false;
    if (at < c.valid_from || at > c.valid_until) return false;
  }
  const asset = await ctx.loaders.asset.load(cert.asset_id);
  return asset !== null && assetActiveAt(asset, at);
}

const BATCH = 200;

export const rightsQueries = {
  rights: async (
    _: unknown,
    args: { assetId?: string | null; holder?: string | null; validAt?: string | null; first?: number; after?: string | null },
    ctx: Context,
  ) => {
    const first = pageSize(args.first);
    let after = decodeCursor(args.after) ?? 0;
    const where = ["id > ?"];
    const params: unknown[] = [];
    if (args.assetId !== undefined && args.assetId !== null) (where.push("asset_id = ?"), params.push(id("assetId", args.assetId)));
    if (args.holder) (where.push("holder = ?"), params.push(address("holder", args.holder)));
    const at = args.validAt ? instant("validAt", args.validAt) : null;
    if (at !== null) {
      // Cheap necessary conditions in SQL; the grant chain and the asset's status are checked below.
      where.push("valid_from <= ? AND valid_until >= ? AND (revoked_at IS NULL OR revoked_at > ?)");
      params.push(at, at, at);
    }
    const sql = `SELECT * FROM certificates WHERE ${where.join(" AND ")} ORDER BY id LIMIT ${BATCH}`;
    const found: Row[] = [];
    // Keep reading batches until a page (plus one, for hasNextPage) of valid certificates is found.
    for (;;) {
      const rows = prepared(ctx.db, sql).all(after, ...params) as Row[];
      for (const r of rows) {
        if (at === null || (await validAt(r, at, ctx))) found.push(r);
        if (found.length > first) break;
      }
      if (found.length > first || rows.length < BATCH) break;
      after = rows[rows.length - 1].id;
    }
    return page(found.map((r): Row => ({ ...r, at: at ?? ctx.now })), first, (r) => r.id);
  },
};

export const rightsTypes = {
  RightsCertificate: {
    asset: (c: Row, _: unknown, ctx: Context) => ctx.loaders.asset.load(c.asset_id),
    issuedBy: (c: Row) => c.issued_by,
    parent: async (c: Row, _: unknown, ctx: Context) =>
      c.parent_id === null ? null : { ...(await ctx.loaders.certificate.load(c.parent_id)), at: c.at ?? ctx.now },
    grantChain: async (c: Row, _: unknown, ctx: Context) => {
      const chain: Row[] = [];
      for (let x: Row | null = c; x; x = x.parent_id === null ? null : await ctx.loaders.certificate.load(x.parent_id)) {
        chain.push({ ...x, at: c.at ?? ctx.now });
      }
      return chain;
    },
    scopeHash: (c: Row) => c.scope_hash,
    scopeMask: (c: Row) => c.scope_mask,
    validFrom: (c: Row) => iso(c.valid_from),
    validUntil: (c: Row) => iso(c.valid_until),
    sublicensable: (c: Row) => c.sublicensable === 1,
    transferable: (c: Row) => c.transferable === 1,
    grantedAt: (c: Row) => iso(c.granted_at),
    revokedAt: (c: Row) => iso(c.revoked_at),
    revokedBy: (c: Row) => c.revoked_by,
    revokeReason: (c: Row) => c.revoke_reason,
    valid: (c: Row, _: unknown, ctx: Context) => validAt(c, c.at ?? ctx.now, ctx),
  },
};
