// PledgeRegistry events -> pledges (terms as filed, state as it moves), assets' and certificates' encumbrance flags,
// and the pledged revenue and enforcement proceeds routed at settlement (whose credits the exchange projection then
// skips on the Settled line: see exchange.ts). Every event of a pledge carries its asset (for a certificate pledge,
// the certificate's asset), for the asset's provenance.
import { Collateral, Consent, nameOf } from "../enums";
import type { Store } from "../store";
import { noteToken, plus, type Handlers } from "./context";
import { credit } from "./exchange";

const n = (v: unknown) => Number(v);

/** The pledge's row, which must exist (its PledgeFiled came first). */
function pledge<T = { asset_id: number; listing_id: number | null; received: string; consents: number }>(store: Store, id: number): T {
  const row = store.get<T>("pledges", { id });
  if (!row) throw new Error(`pledge ${id} not indexed`);
  return row;
}

/** An enforcement sale taken off (release, an upheld objection, withdrawal): the contract clears both. */
const stopEnforcement = { listing_id: null, enforcement_costs: "0", enforcement_costs_evidence_hash: null };

export const pledges: Handlers = {
  PledgeFiled: (ctx, a) => {
    const t = a.terms;
    const assetId = n(a.assetId);
    noteToken(ctx, t.token);
    ctx.store.insert("pledges", {
      id: n(a.pledgeId),
      asset_id: assetId,
      pledgor: a.pledgor,
      registrar_id: a.registrarId,
      collateral: nameOf(Collateral, t.collateral),
      cert_id: t.certId === "0" ? null : n(t.certId),
      debtor: t.debtor,
      pledgee: t.pledgee,
      token: t.token,
      secured_amount: t.securedAmount,
      scope: t.scope,
      maximum_amount: t.maximumAmount,
      term_end: n(t.termEnd),
      main_contract_hash: t.mainContractHash,
      licensing_allowed: t.licensingAllowed,
      self_sale_allowed: t.selfSaleAllowed,
      reserve_price: t.reservePrice,
      external_registry: t.externalRegistry,
      external_number: t.externalNumber,
      external_registered_at: n(t.externalRegisteredAt),
      status: "Filed",
      filed_at: n(a.at),
      filed_block: ctx.ev.blockNumber,
      filed_tx: ctx.ev.txHash,
      filed_log_index: ctx.ev.logIndex,
    });
    return assetId;
  },

  PledgeWithdrawn: ({ store }, a) => {
    store.update("pledges", { id: n(a.pledgeId) }, { status: "Withdrawn", ended_at: n(a.at), ended_by: a.by });
    return n(a.assetId);
  },

  PledgeAccepted: ({ store }, a) => {
    store.update("pledges", { id: n(a.pledgeId) }, { status: "Live", accepted_at: n(a.at) });
    return n(a.assetId);
  },

  PledgeChanged: ({ store }, a) => {
    store.update("pledges", { id: n(a.pledgeId) }, {
      secured_amount: a.securedAmount,
      term_end: n(a.termEnd),
      licensing_allowed: a.licensingAllowed,
    });
    return n(a.assetId);
  },

  PledgeReleased: ({ store }, a) => {
    const id = n(a.pledgeId);
    const p = pledge(store, id);
    store.update("pledges", { id }, { status: "Released", ended_at: n(a.at), ended_by: a.by, ...(p.listing_id !== null ? stopEnforcement : {}) });
    return n(a.assetId);
  },

  PledgeConsented: ({ store }, a) => {
    const id = n(a.pledgeId);
    const p = pledge(store, id);
    nameOf(Consent, a.consent); // an ordinal the ABI does not know is a decoding bug
    store.update("pledges", { id }, { consents: p.consents | (1 << a.consent) });
    return n(a.assetId);
  },

  PledgeObjected: ({ store }, a) => {
    store.update("pledges", { id: n(a.pledgeId) }, {
      objected: 1,
      objector: a.objector,
      objection_evidence_hash: a.evidenceHash,
      objected_at: n(a.at),
      objection_upheld: null,
      objection_resolution_hash: null,
      objection_resolved_by: null,
      objection_resolved_at: null,
    });
    return n(a.assetId);
  },

  // Upheld voids the pledge (a listed enforcement sale is taken off); dismissed leaves it as it was.
  PledgeObjectionResolved: ({ store }, a) => {
    const id = n(a.pledgeId);
    const p = pledge(store, id);
    const resolved = {
      objected: 0,
      objection_upheld: a.upheld,
      objection_resolution_hash: a.resolutionHash,
      objection_resolved_by: a.by,
      objection_resolved_at: n(a.at),
    };
    const voided = a.upheld
      ? { status: "Voided", ended_at: n(a.at), ended_by: a.by, ...(p.listing_id !== null ? stopEnforcement : {}) }
      : {};
    store.update("pledges", { id }, { ...resolved, ...voided });
    return n(a.assetId);
  },

  PledgeDefaulted: ({ store }, a) => {
    store.update("pledges", { id: n(a.pledgeId) }, {
      status: "Defaulted",
      defaulted_at: n(a.at),
      defaulted_by: a.by,
      default_by_arbiter: a.byArbiter,
      default_ruling_hash: a.byArbiter ? a.rulingHash : null,
    });
    return n(a.assetId);
  },

  SaleAuthorised: ({ store }, a) => {
    store.update("pledges", { id: n(a.pledgeId) }, {
      sale_authorised: 1,
      sale_authorised_by: a.by,
      sale_authorised_by_arbiter: a.byArbiter,
      sale_ruling_hash: a.byArbiter ? a.rulingHash : null,
      sale_authorised_at: n(a.at),
    });
    return n(a.assetId);
  },

  EnforcementListed: ({ store }, a) => {
    store.update("pledges", { id: n(a.pledgeId) }, {
      listing_id: n(a.listingId),
      enforcement_costs: a.costs,
      enforcement_costs_evidence_hash: a.costs === "0" ? null : a.costsEvidenceHash,
    });
    return n(a.assetId);
  },

  EnforcementWithdrawn: ({ store }, a) => {
    store.update("pledges", { id: n(a.pledgeId) }, stopEnforcement);
    return n(a.assetId);
  },

  ProceedsApplied: ({ store, ev }, a) => {
    const id = n(a.pledgeId);
    const p = pledge<{ received: string; token: string }>(store, id);
    store.update("pledges", { id }, { received: plus(p.received, a.amount) });
    credit(store, a.pledgee, p.token, a.amount); // the exchange credits each pledgee the route names
    store.insert("pledge_proceeds", {
      block_number: ev.blockNumber,
      log_index: ev.logIndex,
      tx_hash: ev.txHash,
      pledge_id: id,
      asset_id: n(a.assetId),
      order_id: n(a.orderId),
      pledgee: a.pledgee,
      amount: a.amount,
    });
    return n(a.assetId);
  },

  ProceedsRouted: ({ store, ev }, a) => {
    store.insert("proceeds_routes", {
      block_number: ev.blockNumber,
      log_index: ev.logIndex,
      tx_hash: ev.txHash,
      asset_id: n(a.assetId),
      order_id: n(a.orderId),
      token: a.token,
      amount: a.amount,
      as_seller: a.asSeller,
      enforcement: a.enforcement,
      costs_to: a.costsTo,
      costs: a.costs,
      holder: a.holder,
      to_holder: a.toHolder,
    });
    credit(store, a.costsTo, a.token, a.costs);
    credit(store, a.holder, a.token, a.toHolder);
    return n(a.assetId);
  },

  PledgeEnforced: ({ store }, a) => {
    store.update("pledges", { id: n(a.pledgeId) }, { status: "Enforced", ended_at: n(a.at), enforced_order_id: n(a.orderId) });
    return n(a.assetId);
  },

  EncumbranceChanged: ({ store }, a) => {
    const id = n(a.assetId);
    store.update("assets", { id }, { encumbrance: a.encumbrance });
    return id;
  },

  CertificateEncumbranceChanged: ({ store }, a) => {
    store.update("certificates", { id: n(a.certId) }, { encumbrance: a.encumbrance });
    return n(a.assetId);
  },

  PublicInstitutionSet: ({ store }, a) => {
    store.put("public_institutions", { account: a.account, public: a.isPublicInstitution, set_by: a.by });
  },
};
