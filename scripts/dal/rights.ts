// grant: the holder of an asset (or of a sublicensable certificate, with --parent) grants a processing-use or
// product-operation right to another party, for a scope and a term; revoke: the grantor or the registrar ends one.
import { RightKind } from "../../indexer/enums";
import { canonicalJson, hashArg, sha256Hex } from "./hash";
import { address, dayEnd, dayStart, id, mask, ordinal } from "./parse";
import { Facts, cstTime } from "./report";
import type { Session } from "./session";
import { eventOf, send } from "./tx";
import { usage } from "./exit";

export interface GrantOptions {
  to: string;
  kind: string;
  until: string;
  from?: string;
  scopeFile?: string;
  scopeMask: string;
  sublicensable?: boolean;
  transferable?: boolean;
  parent?: string;
}

/** A scope given as a file or hash, or else a generated scope document naming the terms (printed, to be kept). */
export async function scopeOf(flag: string, given: string | undefined, terms: Record<string, unknown>) {
  if (given) return { hash: await hashArg(flag, given), document: undefined };
  const document = canonicalJson({ schema: "dal-scope-v1", ...terms });
  return { hash: sha256Hex(document), document };
}

export async function grant(session: Session, assetIdText: string, o: GrantOptions): Promise<void> {
  const assetId = id("assetId", assetIdText);
  const to = address("--to", o.to);
  const kind = ordinal(RightKind, "--kind", o.kind);
  const validUntil = dayEnd("--until", o.until);
  const validFrom = o.from === undefined ? 0 : dayStart("--from", o.from);
  if (validFrom !== 0 && validFrom >= validUntil) throw usage("--from must be before --until");
  const scopeMask = mask("--scope-mask", o.scopeMask);
  const parentId = o.parent === undefined ? 0n : id("--parent", o.parent);
  const scope = await scopeOf("--scope-file", o.scopeFile, {
    assetId: assetId.toString(),
    kind: RightKind[kind],
    grantee: to,
    scopeMask,
    validFrom,
    validUntil,
  });

  const { chain, as } = await session.writer();
  const receipt = await send(() =>
    as.rights.grant(
      { assetId, parentId, kind, scopeHash: scope.hash, scopeMask, validFrom, validUntil, sublicensable: !!o.sublicensable, transferable: !!o.transferable },
      to,
    ),
  );
  const granted = eventOf(receipt, chain.rights, "RightGranted");
  const right = await chain.rights.rightOf(granted.certId);
  session.facts(
    new Facts()
      .add("certificate id", granted.certId)
      .add("asset id", assetId)
      .add("right", RightKind[kind])
      .add("holder", to)
      .add("valid from", cstTime(right.validFrom))
      .add("valid until", cstTime(right.validUntil))
      .add("scope hash", scope.hash)
      .add("scope document", scope.document)
      .add("sublicensable", !!o.sublicensable)
      .add("transferable", !!o.transferable)
      .add("parent certificate", parentId === 0n ? undefined : parentId)
      .add("tx", receipt.hash),
  );
}

/** The grantor (not of a licence sold on the exchange) or the asset's registrar revokes a rights certificate; every
 * sublicence under it falls with it (isValid checks the parents). */
export async function revoke(session: Session, certIdText: string, o: { reason: string }): Promise<void> {
  const certId = id("certId", certIdText);
  if (!o.reason?.trim()) throw usage("--reason: the text is empty");
  const { chain, as } = await session.writer();
  const receipt = await send(() => as.rights.revoke(certId, o.reason));
  const revoked = eventOf(receipt, chain.rights, "RightRevoked");
  session.facts(
    new Facts()
      .add("certificate id", certId)
      .add("asset id", revoked.assetId)
      .add("reason", o.reason)
      .add("revoked by", revoked.by)
      .add("revoked at", cstTime(revoked.revokedAt))
      .add("tx", receipt.hash),
  );
}
