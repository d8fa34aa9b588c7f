// A plain TypeScript model of rights validity (IRightsCertificate / README "Rules the contracts enforce"), used by
// the model-based property test. It knows nothing about the contracts' code: it states the rules.
//
//   valid(cert, at)  iff  the certificate exists
//                     and it is not revoked at or before `at` (revokedAt != 0 && at >= revokedAt -> invalid)
//                     and validFrom <= at <= validUntil
//                     and its parent (if any) is valid at `at`
//                     and the asset is active at `at`: approved, approvedAt <= at <= validUntil, and not cancelled
//                         at or before `at`.
//
// The `check*` functions list every rule a command breaks (by the contracts' error name); an empty list means the
// contract must accept the command. The contracts may report any one of the listed errors.

export const MAX_DEPTH = 8;
export const MAX_TEXT = 512;
export const MAX_VALIDITY = 10 * 365 * 24 * 60 * 60;
export const UINT40_MAX = 2 ** 40 - 1;

export interface ModelAsset {
  id: bigint;
  registrarId: number;
  applicant: string;
  // The certificate holder, as holderOf / ownerOf report it: zero while in notice. (The registry's Asset struct keeps
  // the applicant in its `holder` field until approval; the model keeps the two apart.)
  holder: string;
  approvedAt: number; // 0 while in notice
  validUntil: number;
  cancelledAt: number; // 0 while not cancelled
}

export interface ModelCert {
  id: bigint;
  assetId: bigint;
  parentId: bigint; // 0n for a grant by the holder
  kind: number;
  scopeMask: number;
  validFrom: number;
  validUntil: number;
  revokedAt: number; // 0 while not revoked
  sublicensable: boolean;
  transferable: boolean;
  grantor: string;
  /** Issued by the exchange at settlement (a paid licence): its grantor cannot revoke it. */
  issuedByExchange: boolean;
  owner: string;
  depth: number;
}

export interface ModelTerms {
  assetId: bigint;
  parentId: bigint;
  kind: number;
  scopeHash: string;
  scopeMask: number;
  validFrom: number; // 0 = now
  validUntil: number;
  sublicensable: boolean;
  transferable: boolean;
}

const ZERO_HASH = "0x" + "00".repeat(32);
const ZERO_ADDRESS = "0x" + "00".repeat(20);

export class RightsModel {
  readonly assets = new Map<bigint, ModelAsset>();
  readonly certs = new Map<bigint, ModelCert>();
  /** Which registrar accounts operate which registrar id. */
  constructor(private readonly registrarsOf: Map<number, Set<string>>) {}

  private same(a: string, b: string) {
    return a.toLowerCase() === b.toLowerCase();
  }

  isRegistrarOf(assetId: bigint, account: string): boolean {
    const a = this.assets.get(assetId);
    if (!a) return false;
    for (const r of this.registrarsOf.get(a.registrarId) ?? []) if (this.same(r, account)) return true;
    return false;
  }

  assetActive(assetId: bigint, at: number): boolean {
    const a = this.assets.get(assetId);
    if (!a || a.approvedAt === 0) return false;
    if (at < a.approvedAt || at > a.validUntil) return false;
    if (a.cancelledAt !== 0 && at >= a.cancelledAt) return false;
    return true;
  }

  /** Approved and not cancelled (expiry aside): what the registry calls status Active. */
  assetStatusActive(assetId: bigint): boolean {
    const a = this.assets.get(assetId);
    return !!a && a.approvedAt !== 0 && a.cancelledAt === 0;
  }

  valid(certId: bigint, at: number): boolean {
    const c = this.certs.get(certId);
    if (!c) return false;
    if (c.revokedAt !== 0 && at >= c.revokedAt) return false;
    if (at < c.validFrom || at > c.validUntil) return false;
    if (c.parentId !== 0n && !this.valid(c.parentId, at)) return false;
    return this.assetActive(c.assetId, at);
  }

  // ------------------------------------------------------------------ rights commands

  /** Rules broken by `grant` (issuer = msg.sender) or `grantFor` (issuer = the exchange) on `grantor`'s behalf. */
  checkGrant(grantor: string, t: ModelTerms, to: string, now: number): string[] {
    const broken: string[] = [];
    if (this.same(to, ZERO_ADDRESS)) broken.push("InvalidRecipient");
    if (t.scopeHash === ZERO_HASH) broken.push("ZeroHash");
    const from = t.validFrom === 0 ? now : t.validFrom;
    if (from < now || t.validUntil <= from || t.validUntil > UINT40_MAX) broken.push("InvalidTerm");
    if (!this.assetActive(t.assetId, now)) broken.push("AssetNotActive");
    if (t.parentId === 0n) {
      const a = this.assets.get(t.assetId);
      if (!a || !this.same(a.holder, grantor)) broken.push("NotAssetHolder");
      return broken;
    }
    const p = this.certs.get(t.parentId);
    if (!p) {
      broken.push("UnknownCertificate");
      return broken;
    }
    if (!this.same(p.owner, grantor)) broken.push("NotCertificateHolder");
    if (p.assetId !== t.assetId) broken.push("ParentAssetMismatch");
    if (!p.sublicensable) broken.push("NotSublicensable");
    // Kinds are ordered narrow to wide: a product-operation right may sublicense processing-use, never the reverse.
    if (t.kind > p.kind) broken.push("KindMismatch");
    // The parent must be valid when the child starts (which may be later than now).
    if (!this.valid(p.id, from)) broken.push("RightNotValid");
    if ((t.scopeMask & ~p.scopeMask) !== 0) broken.push("ScopeExceedsParent");
    if (from < p.validFrom || t.validUntil > p.validUntil) broken.push("TermExceedsParent");
    if (p.depth + 1 > MAX_DEPTH) broken.push("SublicenceTooDeep");
    return broken;
  }

  applyGrant(id: bigint, grantor: string, t: ModelTerms, to: string, now: number, byExchange = false): ModelCert {
    const parent = t.parentId === 0n ? undefined : this.certs.get(t.parentId)!;
    const c: ModelCert = {
      id,
      assetId: t.assetId,
      parentId: t.parentId,
      kind: t.kind,
      scopeMask: t.scopeMask,
      validFrom: t.validFrom === 0 ? now : t.validFrom,
      validUntil: t.validUntil,
      revokedAt: 0,
      sublicensable: t.sublicensable,
      transferable: t.transferable,
      grantor,
      issuedByExchange: byExchange,
      owner: to,
      depth: parent ? parent.depth + 1 : 0,
    };
    this.certs.set(id, c);
    return c;
  }

  checkRevoke(caller: string, certId: bigint, reasonBytes: number): string[] {
    const c = this.certs.get(certId);
    if (!c) return ["UnknownCertificate"];
    const broken: string[] = [];
    const registrar = this.isRegistrarOf(c.assetId, caller);
    // A paid licence: only the registrar revokes it (for cause, with a reason), never its grantor.
    if (!registrar && (c.issuedByExchange || !this.same(c.grantor, caller))) broken.push("NotGrantorOrRegistrar");
    if (c.issuedByExchange && registrar && reasonBytes === 0) broken.push("ReasonRequired");
    if (c.revokedAt !== 0) broken.push("AlreadyRevoked");
    if (reasonBytes > MAX_TEXT) broken.push("TextTooLong");
    return broken;
  }

  applyRevoke(certId: bigint, now: number) {
    this.certs.get(certId)!.revokedAt = now;
  }

  /** ERC-721 transferFrom by the certificate's owner. */
  checkCertTransfer(certId: bigint, now: number): string[] {
    const c = this.certs.get(certId);
    if (!c) return ["ERC721NonexistentToken"];
    const broken: string[] = [];
    if (!c.transferable) broken.push("NotTransferable");
    if (!this.valid(certId, now)) broken.push("RightNotValid");
    return broken;
  }

  applyCertTransfer(certId: bigint, to: string) {
    this.certs.get(certId)!.owner = to;
  }

  // ------------------------------------------------------------------ registry commands

  addApproved(id: bigint, registrarId: number, holder: string, approvedAt: number, validityPeriod: number) {
    const validUntil = approvedAt + validityPeriod;
    this.assets.set(id, { id, registrarId, applicant: holder, holder, approvedAt, validUntil, cancelledAt: 0 });
  }

  addInNotice(id: bigint, registrarId: number, applicant: string) {
    this.assets.set(id, { id, registrarId, applicant, holder: ZERO_ADDRESS, approvedAt: 0, validUntil: 0, cancelledAt: 0 });
  }

  /** `cancel`: of an approved registration by its holder or registrar; of one in notice by its applicant. */
  checkCancel(caller: string, assetId: bigint): string[] {
    const a = this.assets.get(assetId);
    if (!a) return ["UnknownAsset"];
    if (a.cancelledAt !== 0) return ["WrongStatus"];
    if (a.approvedAt === 0) return this.same(a.applicant, caller) ? [] : ["NotHolder"];
    if (!this.same(a.holder, caller) && !this.isRegistrarOf(assetId, caller)) return ["NotHolderOrRegistrar"];
    return [];
  }

  applyCancel(assetId: bigint, now: number) {
    this.assets.get(assetId)!.cancelledAt = now;
  }

  /** `renew` by the asset's registrar. */
  checkRenew(caller: string, assetId: bigint, newValidUntil: number, now: number): string[] {
    const a = this.assets.get(assetId);
    if (!a) return ["UnknownAsset"];
    const broken: string[] = [];
    if (!this.isRegistrarOf(assetId, caller)) broken.push("NotRegistrar");
    if (!this.assetStatusActive(assetId)) broken.push("AssetNotActive");
    else if (now > a.validUntil) broken.push("AssetExpired");
    if (a.approvedAt !== 0 && newValidUntil <= a.validUntil) broken.push("RenewalNotLater");
    if (newValidUntil > now + MAX_VALIDITY) broken.push("RenewalTooLong");
    return broken;
  }

  applyRenew(assetId: bigint, newValidUntil: number) {
    this.assets.get(assetId)!.validUntil = newValidUntil;
  }

  /** `transferByExchange` of the holding right to `to`. */
  checkHoldingTransfer(assetId: bigint, to: string, now: number): string[] {
    const a = this.assets.get(assetId);
    if (!a) return ["UnknownAsset"];
    if (!this.assetStatusActive(assetId)) return ["AssetNotActive"];
    if (now > a.validUntil) return ["AssetExpired"];
    if (this.same(to, a.holder) || this.same(to, ZERO_ADDRESS)) return ["InvalidRecipient"];
    return [];
  }

  applyHoldingTransfer(assetId: bigint, to: string) {
    this.assets.get(assetId)!.holder = to;
  }

  /** Times at which a certificate's validity may change: the edges of its own, its ancestors' and its asset's terms. */
  boundaries(certId: bigint): number[] {
    const out = new Set<number>();
    let c = this.certs.get(certId);
    const a = c ? this.assets.get(c.assetId) : undefined;
    while (c) {
      for (const t of [c.validFrom, c.validUntil + 1]) out.add(t).add(t - 1);
      if (c.revokedAt) out.add(c.revokedAt).add(c.revokedAt - 1);
      c = c.parentId === 0n ? undefined : this.certs.get(c.parentId);
    }
    if (a) {
      for (const t of [a.approvedAt, a.validUntil + 1]) out.add(t).add(t - 1);
      if (a.cancelledAt) out.add(a.cancelledAt).add(a.cancelledAt - 1);
    }
    return [...out].filter((t) => t >= 0).sort((x, y) => x - y);
  }
}
