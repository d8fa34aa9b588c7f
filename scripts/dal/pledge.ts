// pledge (file) / accept / change / release / consent / object / objection uphold|dismiss / default / authorise-sale /
// withdraw / withdraw-sale, enforce, pledges: pledges (质押) of data assets on the pledge registry (DOMAIN.md §4
// "Financing: pledges"). The record mirrors the pledge's registration with the legal registry (中登网, or an IP
// authority): its registry, number and time, which ranks it. What is pledged is the asset's holding right or revenue,
// or a transferable rights certificate of the asset, whose pledges rank and restrict apart from the asset's. The
// pledgor (the holder of what is pledged) files; the pledgee accepts, consents, changes, releases, declares a default
// and enforces by a sale on the exchange; anyone else may object, and an arbiter rules. Read-only `pledges` reads the
// pledge registry's events and views, so it works without the API.
import { ZeroHash, encodeBytes32String, decodeBytes32String, toUtf8Bytes, type ContractTransactionReceipt, type ContractTransactionResponse } from "ethers";
import type { IPledgeRegistry } from "../../typechain-types/contracts/PledgeRegistry";
import type { Chain } from "./env";
import { usage } from "./exit";
import { hashArg } from "./hash";
import { address, dateTime, dayEnd, decimal, duration, id, isHash, small, toUnits, type Decimal } from "./parse";
import { Facts, cstTime, table, type Json } from "./report";
import { Collateral, PledgeStatus, decodeRevert, encumbranceWords, refusal, type DecodedRevert } from "./revert";
import type { Session } from "./session";
import { resolveToken, token, type Token } from "./token";
import { eventOf, send } from "./tx";

const UINT128 = 2n ** 128n - 1n;

/** The scope of security (担保范围, 民法典 art. 389) as typed, and its bit in PledgeTerms.scope. */
export const SCOPES = { principal: 1, interest: 2, penalties: 4, damages: 8, "enforcement-costs": 16 } as const;
const SCOPE_NAMES = Object.keys(SCOPES) as (keyof typeof SCOPES)[];
/** Without --scope: all five, as art. 389 reads when the contract says nothing else. */
const ALL_SCOPES = SCOPE_NAMES.join(",");
const CONSENTS = ["transfer", "cancellation", "licensing"] as const;

export const scopeNames = (bits: number) => SCOPE_NAMES.filter((n) => bits & SCOPES[n]);
const consentNames = (bits: number) => CONSENTS.filter((_, i) => bits & (1 << i));

/** `--scope principal,interest`: the bits of the named parts; every name checked. */
export function scope(flag: string, text: string): number {
  let bits = 0;
  for (const part of (text ?? "").split(",").map((p) => p.trim())) {
    const bit = SCOPES[part as keyof typeof SCOPES];
    if (!bit) throw usage(`${flag}: "${part}" is not a part of the scope of security (${SCOPE_NAMES.join(", ")}, comma-separated)`);
    bits |= bit;
  }
  return bits;
}

/** The legal registry's name as bytes32 text: 1 to 31 bytes of UTF-8. */
function registryName(flag: string, text: string): string {
  const bytes = toUtf8Bytes(text ?? "").length;
  if (bytes === 0 || bytes > 31) throw usage(`${flag}: "${text}" must be 1 to 31 bytes of text (e.g. PBOC-ZDW for 中登网)`);
  return encodeBytes32String(text);
}

const chainNow = async (chain: Chain) => (await chain.provider.getBlock("latest"))!.timestamp;

/**
 * The token a pledge is in: --token as an address, or as the symbol of a token the exchange allows (or of the
 * deployment's SettlementToken); without it, as every command chooses (DAL_TOKEN, the record, the one allowed).
 */
async function pledgeToken(chain: Chain, flag: string | undefined): Promise<Token> {
  if (flag === undefined || flag.startsWith("0x")) return token(chain, await resolveToken(chain, flag));
  const candidates = new Set<string>();
  const recorded = chain.record.contracts.SettlementToken?.address;
  if (recorded) candidates.add(recorded);
  const allowed = new Map<string, boolean>();
  for (const e of await chain.exchange.queryFilter(chain.exchange.filters.TokenAllowed(), chain.record.startBlock)) allowed.set(e.args.token, e.args.allowed);
  for (const [t, ok] of allowed) if (ok) candidates.add(t);
  const known: Token[] = [];
  for (const t of candidates) known.push(await token(chain, t).catch(() => undefined as unknown as Token));
  const matches = known.filter((t) => t && t.symbol.toLowerCase() === flag.toLowerCase());
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) throw usage(`--token: several tokens are called ${flag} (${matches.map((t) => t.address).join(", ")}); give the address`);
  const symbols = known.filter(Boolean).map((t) => `${t.symbol} (${t.address})`);
  throw usage(`--token: no token the exchange allows is called "${flag}"${symbols.length ? `; known: ${symbols.join(", ")}` : ""}; give an address`);
}

type Pledge = IPledgeRegistry.PledgeStructOutput;

/** A certificate pledge ranks, restricts and is enforced on its certificate, apart from the asset's own pledges. */
const onCertificate = (p: Pledge) => Collateral[Number(p.terms.collateral)] === "Certificate";
/** What is sold on enforcement: "the holding" or "certificate 12". */
const sold = (p: Pledge) => (onCertificate(p) ? `certificate ${p.terms.certId}` : "the holding");

/** Where a pledge stands, in words: "live, rank 1 of 2", "defaulted (rank 1 of 1), sale authorised", ... */
function standing(p: Pledge, rank: bigint, live: number): string {
  const status = PledgeStatus[Number(p.status)] ?? String(p.status);
  const extras: string[] = [];
  if (p.objected) extras.push("objection open");
  if (p.saleAuthorised) extras.push("sale authorised");
  if (p.listingId !== 0n) extras.push(`enforcement sale listed (listing ${p.listingId})`);
  const tail = extras.length ? `; ${extras.join(", ")}` : "";
  switch (status) {
    case "Filed":
      return `filed, awaiting the pledgee's acceptance${tail}`;
    case "Live":
      return `live, rank ${rank} of ${live}${tail}`;
    case "Defaulted":
      return `defaulted (rank ${rank} of ${live})${tail}`;
    default:
      return `${status.toLowerCase()}${p.endedAt ? ` at ${cstTime(p.endedAt)}` : ""}${tail}`;
  }
}

/** One pledge read from the chain: the record, its rank among the live pledges of what it is on (the asset, or its
 * certificate), what is outstanding. */
async function read(chain: Chain, pledgeId: bigint) {
  const p = await chain.pledges.pledgeOf(pledgeId); // an unknown pledge is refused here, in words (UnknownPledge)
  const [rank, outstanding, live] = await Promise.all([
    chain.pledges.rankOf(pledgeId),
    chain.pledges.outstandingOf(pledgeId),
    onCertificate(p) ? chain.pledges.livePledgesOfCertificate(p.terms.certId) : chain.pledges.livePledgesOf(p.terms.assetId),
  ]);
  return { p, rank, outstanding, live: live.length };
}

/** What the live pledges of what this pledge is on restrict now: the asset's flags in the registry, or the
 * certificate's in the rights contract. */
async function restricted(chain: Chain, p: Pledge): Promise<{ label: string; text: string; json: Json }> {
  const flags = Number(onCertificate(p) ? await chain.rights.encumbranceOf(p.terms.certId) : (await chain.registry.assetOf(p.terms.assetId)).encumbrance);
  const words = encumbranceWords(flags);
  return { label: onCertificate(p) ? "certificate restricted" : "asset restricted", text: words.length ? words.join(", ") : "nothing", json: { flags, restricts: words } };
}

/** The collateral in words, as every pledge command and `pledges` say it. */
function collateralText(p: Pledge): string {
  switch (Collateral[Number(p.terms.collateral)]) {
    case "Revenue":
      return "revenue (收益权): the holder's revenue from the asset goes to the pledgees in rank order";
    case "Certificate":
      return `rights certificate ${p.terms.certId}: ranked, restricted and sold apart from the asset's own pledges`;
    default:
      return "holding right";
  }
}

/** The reserve price in words: the least a sale by the pledgee alone may ask. */
const reserveText = (p: Pledge, tok: Token) =>
  p.terms.reservePrice === 0n ? "none" : `${tok.show(p.terms.reservePrice)} (the least a sale by the pledgee alone may ask)`;

/** The facts every pledge command ends with: what is pledged, where the pledge stands and what its pledges restrict. */
async function standingFacts(chain: Chain, pledgeId: bigint, facts: Facts): Promise<Facts> {
  const { p, rank, outstanding, live } = await read(chain, pledgeId);
  const tok = await token(chain, p.terms.token);
  const enc = await restricted(chain, p);
  return facts
    .add("collateral", collateralText(p), Collateral[Number(p.terms.collateral)])
    .add("certificate id", onCertificate(p) ? p.terms.certId : undefined)
    .add("reserve price", reserveText(p, tok), tok.json(p.terms.reservePrice))
    .add("status", standing(p, rank, live), PledgeStatus[Number(p.status)])
    .json("rank", rank === 0n ? null : Number(rank))
    .add("outstanding", tok.show(outstanding), tok.json(outstanding))
    .add("consents", consentNames(Number(p.consents)).join(", ") || "none", consentNames(Number(p.consents)))
    .add(enc.label, enc.text, enc.json);
}

/**
 * Refused before sending, in the words the pledge registry would use: the certificate must be of the asset,
 * transferable (it is sold if the pledge is enforced), valid now, and held by the pledgor.
 */
async function checkCertificate(chain: Chain, certId: bigint, assetId: bigint, pledgor: string, now: number): Promise<void> {
  const right = await chain.rights.rightOf(certId); // an unknown certificate is refused here, in words (UnknownCertificate)
  const unfit = (why: string) => refusal("CertificateNotPledgeable", { certId }, `rights certificate ${certId} cannot be pledged: ${why}`);
  if (right.assetId !== assetId) throw unfit(`it is of asset ${right.assetId}, not ${assetId} (dal pledge ${right.assetId} --certificate ${certId} …)`);
  if (!right.transferable) throw unfit("it is not transferable, so it could not be sold if the pledge were enforced");
  if (!(await chain.rights.isValid(certId, now))) throw unfit("it is not valid now (revoked, expired, not yet in term, or its asset or parent no longer in force)");
  const holder = await chain.rights.ownerOf(certId);
  if (holder !== pledgor) {
    throw refusal("NotCertificateHolder", { certId, account: pledgor }, `rights certificate ${certId} is held by ${holder}, not by the signer ${pledgor}`);
  }
}

export interface FileOptions {
  pledgee: string;
  amount: string;
  token?: string;
  termEnd: string;
  registry: string;
  number: string;
  registeredAt: string;
  revenue?: boolean;
  certificate?: string;
  debtor?: string;
  scope?: string;
  maximumAmount?: boolean;
  allowLicensing?: boolean;
  allowSelfSale?: boolean;
  reservePrice?: string;
  contract?: string;
  contractHash?: string;
}

/** `dal pledge <asset> ...`: the pledgor (the holder of what is pledged) files a pledge registered with the legal
 * registry. */
export async function file(session: Session, assetIdText: string | undefined, o: FileOptions): Promise<void> {
  if (assetIdText === undefined) throw usage("name the pledged asset: dal pledge <assetId> --pledgee <address> ... (or a subcommand: dal pledge --help)");
  const required: [keyof FileOptions, string][] = [
    ["pledgee", "--pledgee <address>"],
    ["amount", "--amount <decimal>"],
    ["termEnd", "--term-end <date>"],
    ["registry", "--registry <text>"],
    ["number", "--number <text>"],
    ["registeredAt", "--registered-at <time>"],
  ];
  for (const [key, flags] of required) if (o[key] === undefined) throw usage(`required option '${flags}' not specified`);
  const assetId = id("assetId", assetIdText);
  const certId = o.certificate === undefined ? undefined : id("--certificate", o.certificate);
  if (certId !== undefined && o.revenue) throw usage("--revenue and --certificate exclude each other: pledge the holder's revenue, or a rights certificate");
  const pledgee = address("--pledgee", o.pledgee);
  const debtor = o.debtor === undefined ? undefined : address("--debtor", o.debtor);
  const amount = decimal("--amount", o.amount);
  const reserve = o.reservePrice === undefined ? undefined : decimal("--reserve-price", o.reservePrice);
  if (reserve !== undefined && !o.allowSelfSale) {
    throw usage("--reserve-price binds only a sale by the pledgee alone: give --allow-self-sale too (a sale the pledgor agrees to or an arbiter orders may ask less)");
  }
  const termEnd = dayEnd("--term-end", o.termEnd);
  const externalRegistry = registryName("--registry", o.registry);
  const numberBytes = toUtf8Bytes(o.number ?? "").length;
  if (numberBytes === 0 || numberBytes > 64) throw usage(`--number: "${o.number}" must be 1 to 64 bytes (the registration number, 登记证明编号)`);
  const registeredAt = dateTime("--registered-at", o.registeredAt);
  const scopeBits = scope("--scope", o.scope ?? ALL_SCOPES);
  if ((o.contract === undefined) === (o.contractHash === undefined)) {
    throw usage("name the main (loan) contract: --contract <file> (hashed locally) or --contract-hash 0x…, one of them");
  }
  if (o.contractHash !== undefined && !isHash(o.contractHash)) throw usage(`--contract-hash: "${o.contractHash}" is not a 0x hash of 64 hex digits`);
  const mainContractHash = o.contractHash !== undefined ? await hashArg("--contract-hash", o.contractHash) : await hashArg("--contract", o.contract!);

  const { chain, wallet, as } = await session.writer();
  const now = await chainNow(chain);
  if (termEnd <= now) throw usage(`--term-end: ${o.termEnd} is in the past (the chain's clock says ${cstTime(now)})`);
  if (registeredAt > now) throw usage(`--registered-at: ${o.registeredAt} is in the future (the chain's clock says ${cstTime(now)}); file after the legal registration`);
  await chain.registry.assetOf(assetId); // an unknown asset is refused here, in words (UnknownAsset)
  if (certId !== undefined) await checkCertificate(chain, certId, assetId, wallet.address, now);
  const tok = await pledgeToken(chain, o.token);
  const securedAmount = toUnits(amount, tok.decimals, UINT128);
  if (securedAmount === 0n) throw usage("--amount: the secured amount must be more than 0");
  const reservePrice = reserve === undefined ? 0n : toUnits(reserve, tok.decimals, UINT128);
  const terms: IPledgeRegistry.PledgeTermsStruct = {
    assetId,
    collateral: Collateral.indexOf(certId !== undefined ? "Certificate" : o.revenue ? "Revenue" : "Holding"),
    certId: certId ?? 0n,
    debtor: debtor ?? wallet.address,
    pledgee,
    token: tok.address,
    securedAmount,
    scope: scopeBits,
    maximumAmount: !!o.maximumAmount,
    termEnd,
    mainContractHash,
    licensingAllowed: !!o.allowLicensing,
    selfSaleAllowed: !!o.allowSelfSale,
    reservePrice,
    externalRegistry,
    externalNumber: o.number,
    externalRegisteredAt: registeredAt,
  };
  const receipt = await send(() => as.pledges.file(terms));
  const filed = eventOf(receipt, chain.pledges, "PledgeFiled");
  const pledgeId: bigint = filed.pledgeId;
  const licensing = o.allowLicensing
    ? "allowed without consent"
    : o.revenue
      ? "allowed (a revenue pledge is paid from it)"
      : `needs the pledgee's consent${certId !== undefined ? " (sublicensing under the certificate)" : ""}`;
  const facts = new Facts()
    .add("pledge id", pledgeId)
    .add("asset id", assetId)
    .add("pledgor", filed.pledgor)
    .add("debtor", terms.debtor as string)
    .add("pledgee", pledgee)
    .add(o.maximumAmount ? "maximum amount (最高额)" : "secured amount", tok.show(securedAmount), tok.json(securedAmount))
    .json("maximumAmount", !!o.maximumAmount)
    .add("scope", scopeNames(scopeBits).join(", "), scopeNames(scopeBits))
    .add("term end", cstTime(termEnd))
    .add("main contract hash", mainContractHash)
    .add("licensing", licensing, !!o.allowLicensing)
    .add("self-sale on default", o.allowSelfSale ? "allowed" : "needs the pledgor's agreement or an arbiter's order", !!o.allowSelfSale)
    .add("legal registration", `${o.registry} ${o.number} at ${cstTime(registeredAt)}`, { registry: o.registry, number: o.number, registeredAt: cstTime(registeredAt) })
    .add("registrar", Number(filed.registrarId));
  await standingFacts(chain, pledgeId, facts);
  session.facts(facts.text("next", `the pledgee accepts: dal pledge accept ${pledgeId}`).add("tx", receipt.hash));
}

type Writer = Awaited<ReturnType<Session["writer"]>>;

interface Act {
  /** The transaction, given the pledge as it stands before it. */
  call: (as: Writer["as"], pledgeId: bigint, p: Pledge, chain: Chain) => Promise<any>;
  /** The event it emits, and the facts it adds from it. */
  event: string;
  describe: (e: any, facts: Facts, chain: Chain) => Facts | Promise<Facts>;
  /** What usually comes next. */
  next?: (pledgeId: bigint, chain: Chain) => Promise<string | undefined>;
  say?: Say;
}

/** A refusal said again with what dal knows (amounts in the pledge's token, dates): its text, or undefined. */
type Say = (refused: DecodedRevert, p: Pledge, tok: Token) => string | undefined;

/** Sends a pledge's transaction; a refusal `say` words better is said so, any other as main.ts says it. */
async function sendSaying(chain: Chain, p: Pledge, call: () => Promise<ContractTransactionResponse>, say?: Say): Promise<ContractTransactionReceipt> {
  try {
    return await send(call);
  } catch (err) {
    const refused = say && decodeRevert(err);
    const text = refused ? say!(refused, p, await token(chain, p.terms.token)) : undefined;
    throw text ? refusal(refused!.name, refused!.args, text) : err;
  }
}

/** A pledge command of one call that names the pledge and ends with where it stands. */
async function act(session: Session, pledgeIdText: string, a: Act): Promise<void> {
  const pledgeId = id("pledgeId", pledgeIdText);
  const { chain, as } = await session.writer();
  const p = await chain.pledges.pledgeOf(pledgeId); // an unknown pledge is refused here, in words (UnknownPledge)
  const receipt = await sendSaying(chain, p, () => a.call(as, pledgeId, p, chain), a.say);
  const e = eventOf(receipt, chain.pledges, a.event);
  const facts = await a.describe(e, new Facts().add("pledge id", pledgeId).add("asset id", e.assetId as bigint), chain);
  await standingFacts(chain, pledgeId, facts);
  session.facts(facts.text("next", await a.next?.(pledgeId, chain)).add("tx", receipt.hash));
}

/** Juniors move up once a live pledge ends: where to see them. */
async function movesUp(pledgeId: bigint, chain: Chain): Promise<string> {
  const p = await chain.pledges.pledgeOf(pledgeId);
  const [what, key] = onCertificate(p) ? ["certificate", p.terms.certId] : ["asset", p.terms.assetId];
  return `junior pledges of ${what} ${key} move up a rank: dal pledges --${what} ${key}`;
}

export const accept = (session: Session, pledgeId: string) =>
  act(session, pledgeId, {
    call: (as, p) => as.pledges.accept(p),
    event: "PledgeAccepted",
    describe: (e, f) => f.add("pledgee", e.pledgee).add("accepted at", cstTime(e.getValue("at"))),
  });

export const release = (session: Session, pledgeId: string) =>
  act(session, pledgeId, {
    call: (as, p) => as.pledges.release(p),
    event: "PledgeReleased",
    describe: (e, f) => f.add("released by", e.by).add("released at", cstTime(e.getValue("at"))),
    next: movesUp,
  });

export const withdraw = (session: Session, pledgeId: string) =>
  act(session, pledgeId, {
    call: (as, p) => as.pledges.withdraw(p),
    event: "PledgeWithdrawn",
    describe: (e, f) => f.add("withdrawn by", e.by).add("withdrawn at", cstTime(e.getValue("at"))),
  });

export async function consent(session: Session, pledgeIdText: string, what: string): Promise<void> {
  const i = CONSENTS.indexOf(what as (typeof CONSENTS)[number]);
  if (i < 0) throw usage(`consent: "${what}" is not one of ${CONSENTS.join(", ")}`);
  await act(session, pledgeIdText, {
    call: (as, p) => as.pledges.consent(p, i),
    event: "PledgeConsented",
    describe: (e, f) => f.add("consent", what).add("consented at", cstTime(e.getValue("at"))),
  });
}

export interface ChangeOptions {
  amount?: string;
  termEnd?: string;
  allowLicensing?: boolean;
}

/** `dal pledge change <id>`: the pledgee records a change (变更登记): a lower amount, a later term, licensing allowed
 * or not; what is not named stays as it is. */
export async function change(session: Session, pledgeIdText: string, o: ChangeOptions): Promise<void> {
  if (o.amount === undefined && o.termEnd === undefined && o.allowLicensing === undefined) {
    throw usage("nothing to change: give --amount (lower), --term-end (later), --allow-licensing or --no-allow-licensing");
  }
  const amount = o.amount === undefined ? undefined : decimal("--amount", o.amount);
  const termEnd = o.termEnd === undefined ? undefined : dayEnd("--term-end", o.termEnd);
  await act(session, pledgeIdText, {
    call: async (as, pledgeId, p, chain) => {
      const units = amount === undefined ? p.terms.securedAmount : toUnits(amount, (await token(chain, p.terms.token)).decimals, UINT128);
      return as.pledges.change(pledgeId, units, termEnd ?? p.terms.termEnd, o.allowLicensing ?? p.terms.licensingAllowed);
    },
    event: "PledgeChanged",
    describe: async (e, f, chain) => {
      const tok = await token(chain, (await chain.pledges.pledgeOf(e.pledgeId)).terms.token);
      return f
        .add("secured amount", tok.show(e.securedAmount), tok.json(e.securedAmount))
        .add("term end", cstTime(e.termEnd))
        .add("licensing", e.licensingAllowed ? "allowed without consent" : "needs the pledgee's consent", e.licensingAllowed)
        .add("changed at", cstTime(e.getValue("at")));
    },
    say: (r, p, tok) => {
      if (r.name === "AmountIncrease") {
        return `a change may only lower the secured amount, now ${tok.show(p.terms.securedAmount)}, not raise it to ${tok.show(r.args.requested as bigint)}: more needs a new pledge, ranked by its own registration`;
      }
      if (r.name === "InvalidPledgeTerms" && r.args.field === "termEnd") return `a change may only make the term later than ${cstTime(p.terms.termEnd)}`;
      if (r.name === "InvalidPledgeTerms" && r.args.field === "securedAmount") return "the secured amount must stay more than 0 (dal pledge release ends the pledge)";
      return undefined;
    },
  });
}

/** `dal pledge object <id>`: anyone but the pledgee objects (异议登记), with evidence: a notice until an arbiter rules. */
export async function object(session: Session, pledgeIdText: string, o: { evidence: string }): Promise<void> {
  const evidence = await hashArg("--evidence", o.evidence);
  await act(session, pledgeIdText, {
    call: (as, p) => as.pledges.object(p, evidence),
    event: "PledgeObjected",
    describe: (e, f) => f.add("objector", e.objector).add("evidence hash", e.evidenceHash).add("objected at", cstTime(e.getValue("at"))),
    next: async (p) => `a notice that blocks nothing until an arbiter of the pledge registry rules: dal pledge objection uphold|dismiss ${p} --resolution <file>`,
  });
}

/** `dal pledge objection uphold|dismiss <id>`: an arbiter rules on the pledge's open objection; upheld voids it. */
async function resolveObjection(session: Session, upheld: boolean, pledgeIdText: string, o: { resolution: string }): Promise<void> {
  const resolution = await hashArg("--resolution", o.resolution);
  await act(session, pledgeIdText, {
    call: (as, p) => as.pledges.resolveObjection(p, upheld, resolution),
    event: "PledgeObjectionResolved",
    describe: (e, f) =>
      f
        .add("ruling", upheld ? "upheld: the pledge is void" : "dismissed: the pledge stands")
        .json("upheld", upheld)
        .add("resolution hash", e.resolutionHash)
        .add("resolved by", e.by)
        .add("resolved at", cstTime(e.getValue("at"))),
    next: upheld ? movesUp : undefined,
  });
}

export const upholdObjection = (session: Session, pledgeId: string, o: { resolution: string }) => resolveObjection(session, true, pledgeId, o);
export const dismissObjection = (session: Session, pledgeId: string, o: { resolution: string }) => resolveObjection(session, false, pledgeId, o);

export async function declareDefault(session: Session, pledgeIdText: string, o: { ruling?: string }): Promise<void> {
  const ruling = o.ruling === undefined ? undefined : await hashArg("--ruling", o.ruling);
  await act(session, pledgeIdText, {
    call: (as, p) => (ruling ? as.pledges.ruleDefault(p, ruling) : as.pledges.declareDefault(p)),
    event: "PledgeDefaulted",
    describe: (e, f) =>
      f
        .add("declared by", `${e.by}${e.byArbiter ? " (arbiter's ruling)" : " (pledgee)"}`, { address: e.by, arbiter: e.byArbiter })
        .add("ruling hash", e.byArbiter ? e.rulingHash : undefined)
        .add("defaulted at", cstTime(e.getValue("at"))),
    next: async (pledgeId, chain) => {
      const p = await chain.pledges.pledgeOf(pledgeId);
      if (Collateral[Number(p.terms.collateral)] === "Revenue") return "a revenue pledge is not sold: its revenue keeps going to the pledgees";
      return p.terms.selfSaleAllowed || p.saleAuthorised
        ? `the pledgee lists ${sold(p)} for sale: dal enforce ${pledgeId} --price <decimal>`
        : `a sale needs the pledgor's agreement or an arbiter's order: dal pledge authorise-sale ${pledgeId} [--ruling <file>]`;
    },
  });
}

export async function authoriseSale(session: Session, pledgeIdText: string, o: { ruling?: string }): Promise<void> {
  const ruling = o.ruling === undefined ? ZeroHash : await hashArg("--ruling", o.ruling);
  await act(session, pledgeIdText, {
    call: (as, p) => as.pledges.authoriseSale(p, ruling),
    event: "SaleAuthorised",
    describe: (e, f) =>
      f
        .add("authorised by", `${e.by}${e.byArbiter ? " (arbiter's order)" : " (pledgor's agreement)"}`, { address: e.by, arbiter: e.byArbiter })
        .add("ruling hash", e.rulingHash === ZeroHash ? undefined : e.rulingHash)
        .add("authorised at", cstTime(e.getValue("at"))),
    next: async (pledgeId, chain) => `the pledgee lists ${sold(await chain.pledges.pledgeOf(pledgeId))} for sale: dal enforce ${pledgeId} --price <decimal>`,
  });
}

/** `dal pledge withdraw-sale <id>`: the enforcing pledgee takes its sale off the exchange (not while an order of it is
 * open); the pledge stays in default. */
export const withdrawSale = (session: Session, pledgeId: string) =>
  act(session, pledgeId, {
    call: (as, p) => as.pledges.withdrawEnforcement(p),
    event: "EnforcementWithdrawn",
    describe: (e, f) => f.add("listing id", e.listingId as bigint).add("withdrawn by", e.by).add("withdrawn at", cstTime(e.getValue("at"))),
    next: async (p) => `the pledge stays in default; to sell again: dal enforce ${p} --price <decimal>`,
  });

export interface EnforceOptions {
  price: string;
  venue?: string;
  costs?: string;
  costsEvidence?: string;
  deliveryWindow: string;
  acceptanceWindow: string;
}

/** `dal enforce <id>`: the pledgee lists the pledged holding or certificate on the exchange after default (实现质权). */
export async function enforce(session: Session, pledgeIdText: string, o: EnforceOptions): Promise<void> {
  const pledgeId = id("pledgeId", pledgeIdText);
  const price: Decimal = decimal("--price", o.price);
  const costs = o.costs === undefined ? undefined : decimal("--costs", o.costs);
  if ((costs === undefined) !== (o.costsEvidence === undefined)) throw usage("--costs and --costs-evidence go together: enforcement costs need their evidence (invoices, the auction house's bill)");
  let venueId = o.venue === undefined ? undefined : small("--venue", o.venue, 1, 65_535);
  const deliveryWindow = duration("--delivery-window", o.deliveryWindow);
  const acceptanceWindow = duration("--acceptance-window", o.acceptanceWindow);
  const costsEvidenceHash = o.costsEvidence === undefined ? ZeroHash : await hashArg("--costs-evidence", o.costsEvidence);
  const { chain, as } = await session.writer();
  const p = await chain.pledges.pledgeOf(pledgeId); // an unknown pledge is refused here, in words (UnknownPledge)
  const tok = await token(chain, p.terms.token);
  const units = toUnits(price, tok.decimals, UINT128);
  const costUnits = costs === undefined ? 0n : toUnits(costs, tok.decimals, UINT128);
  if (units === 0n) throw usage("--price: the price must be more than 0");
  venueId ??= Number((await chain.registry.assetOf(p.terms.assetId)).registrarId);
  const receipt = await sendSaying(
    chain,
    p,
    () => as.pledges.enforce(pledgeId, { venueId, price: units, deliveryWindow, acceptanceWindow, costs: costUnits, costsEvidenceHash }),
    (r, _, t) =>
      r.name === "BelowReservePrice"
        ? `the price ${t.show(units)} is below pledge ${pledgeId}'s reserve price ${t.show(p.terms.reservePrice)}, agreed at filing for a sale by the pledgee alone`
        : undefined,
  );
  const listed = eventOf(receipt, chain.pledges, "EnforcementListed");
  const facts = new Facts()
    .add("pledge id", pledgeId)
    .add("asset id", listed.assetId as bigint)
    .add("listing id", listed.listingId as bigint)
    .add("price", tok.show(units), tok.json(units))
    .add("enforcement costs", tok.show(costUnits), tok.json(costUnits))
    .add("costs evidence hash", costUnits === 0n ? undefined : costsEvidenceHash)
    .add("certificate sold", onCertificate(p) ? p.terms.certId : undefined)
    .add("holder (pledgor)", listed.holder)
    .add("venue", venueId)
    .text(
      "proceeds",
      `the enforcement costs first, then every live pledge of ${onCertificate(p) ? "the certificate" : "the asset"} in rank order up to what it is owed, the rest to the holder`,
    )
    .add("listed at", cstTime(listed.getValue("at")));
  await standingFacts(chain, pledgeId, facts);
  session.facts(
    facts
      .text("next", `a buyer orders it (dal buy ${listed.listingId}); the pledgee delivers (dal deliver <orderId> --proof <file>); the buyer accepts (dal accept <orderId>)`)
      .add("tx", receipt.hash),
  );
}

/** The pledge whose enforcement sale listing `listingId` is, if any (from EnforcementListed). */
export async function enforcementOfListing(chain: Chain, listingId: bigint): Promise<bigint | undefined> {
  const f = chain.pledges.filters.EnforcementListed(undefined, undefined, listingId);
  const found = await chain.pledges.queryFilter(f, chain.record.contracts.PledgeRegistry?.blockNumber ?? chain.record.startBlock);
  return found.length ? found[found.length - 1].args.pledgeId : undefined;
}

export interface ListOptions {
  asset?: string;
  certificate?: string;
  pledgor?: string;
  pledgee?: string;
}

/** `dal pledges`: pledges with rank, outstanding amount and status, from the pledge registry's events and views. */
export async function list(session: Session, o: ListOptions): Promise<void> {
  let assetId = o.asset === undefined ? undefined : id("--asset", o.asset);
  const certId = o.certificate === undefined ? undefined : id("--certificate", o.certificate);
  const pledgor = o.pledgor === undefined ? undefined : address("--pledgor", o.pledgor);
  const pledgee = o.pledgee === undefined ? undefined : address("--pledgee", o.pledgee);
  const chain = await session.chain();
  if (assetId !== undefined) await chain.registry.assetOf(assetId); // an unknown asset is refused here, in words
  if (certId !== undefined) {
    // An unknown certificate is refused here, in words (UnknownCertificate); its pledges are filed on its asset.
    const of = (await chain.rights.rightOf(certId)).assetId;
    if (assetId !== undefined && assetId !== of) throw usage(`--certificate: rights certificate ${certId} is of asset ${of}, not of --asset ${assetId}`);
    assetId = of;
  }
  const from = chain.record.contracts.PledgeRegistry?.blockNumber ?? chain.record.startBlock;
  const filed = await chain.pledges.queryFilter(chain.pledges.filters.PledgeFiled(undefined, assetId, pledgor), from);
  const tokens = new Map<string, Token>();
  const rows = [];
  for (const e of filed) {
    if (certId !== undefined && e.args.terms.certId !== certId) continue;
    const { p, rank, outstanding, live } = await read(chain, e.args.pledgeId);
    if (pledgee !== undefined && p.terms.pledgee !== pledgee) continue;
    const t = p.terms.token;
    if (!tokens.has(t)) tokens.set(t, await token(chain, t));
    rows.push({ id: e.args.pledgeId, p, rank, outstanding, live, tok: tokens.get(t)! });
  }
  // Per asset, its own pledges, then each certificate's; the live ones in rank order first, then the others by id
  // (as the API lists them).
  rows.sort((a, b) => {
    if (a.p.terms.assetId !== b.p.terms.assetId) return a.p.terms.assetId < b.p.terms.assetId ? -1 : 1;
    if (a.p.terms.certId !== b.p.terms.certId) return a.p.terms.certId < b.p.terms.certId ? -1 : 1;
    if ((a.rank > 0n) !== (b.rank > 0n)) return a.rank > 0n ? -1 : 1;
    if (a.rank !== b.rank) return a.rank < b.rank ? -1 : 1;
    return a.id < b.id ? -1 : 1;
  });
  if (session.json) {
    const pledges = rows.map(({ id: pid, p, rank, outstanding, tok }) => ({
      id: pid.toString(),
      assetId: p.terms.assetId.toString(),
      collateral: Collateral[Number(p.terms.collateral)],
      certId: onCertificate(p) ? p.terms.certId.toString() : null,
      status: PledgeStatus[Number(p.status)],
      rank: rank === 0n ? null : Number(rank),
      pledgor: p.pledgor,
      debtor: p.terms.debtor,
      pledgee: p.terms.pledgee,
      securedAmount: tok.json(p.terms.securedAmount),
      received: tok.json(p.received),
      outstanding: tok.json(outstanding),
      maximumAmount: p.terms.maximumAmount,
      scope: scopeNames(Number(p.terms.scope)),
      termEnd: cstTime(p.terms.termEnd),
      licensingAllowed: p.terms.licensingAllowed,
      selfSaleAllowed: p.terms.selfSaleAllowed,
      reservePrice: tok.json(p.terms.reservePrice),
      consents: consentNames(Number(p.consents)),
      objected: p.objected,
      saleAuthorised: p.saleAuthorised,
      listingId: p.listingId === 0n ? null : p.listingId.toString(),
      enforcementCosts: tok.json(p.enforcementCosts),
      mainContractHash: p.terms.mainContractHash,
      registration: {
        registry: decodeBytes32String(p.terms.externalRegistry),
        number: p.terms.externalNumber,
        registeredAt: cstTime(p.terms.externalRegisteredAt),
      },
      registrarId: Number(p.registrarId),
      filedAt: cstTime(p.filedAt),
      acceptedAt: p.acceptedAt ? cstTime(p.acceptedAt) : null,
      defaultedAt: p.defaultedAt ? cstTime(p.defaultedAt) : null,
      endedAt: p.endedAt ? cstTime(p.endedAt) : null,
    }));
    session.print(JSON.stringify({ count: pledges.length, pledges }, null, 2) + "\n");
    return;
  }
  if (rows.length === 0) {
    session.print("no pledges" + (assetId !== undefined || pledgor || pledgee ? " match" : " filed") + "\n");
    return;
  }
  session.print(
    table(
      ["id", "asset", "collateral", "rank", "status", "secured", "outstanding", "reserve price", "term end", "pledgor", "pledgee", "legal registration"],
      rows.map(({ id: pid, p, rank, outstanding, tok }) => [
        String(pid),
        String(p.terms.assetId),
        Collateral[Number(p.terms.collateral)].toLowerCase() + (onCertificate(p) ? ` ${p.terms.certId}` : "") + (p.terms.maximumAmount ? " (max.)" : ""),
        rank === 0n ? "-" : String(rank),
        (PledgeStatus[Number(p.status)] ?? "").toLowerCase() + (p.objected ? ", objected" : "") + (p.listingId !== 0n ? `, listing ${p.listingId}` : ""),
        tok.show(p.terms.securedAmount),
        tok.show(outstanding),
        p.terms.reservePrice === 0n ? "-" : tok.show(p.terms.reservePrice),
        cstTime(p.terms.termEnd).slice(0, 10),
        p.pledgor,
        p.terms.pledgee,
        `${decodeBytes32String(p.terms.externalRegistry)} ${p.terms.externalNumber} ${cstTime(p.terms.externalRegisteredAt).slice(0, 16)}`,
      ]),
      [5, 6, 7],
    ),
  );
  session.print(`${rows.length} pledge${rows.length === 1 ? "" : "s"}\n`);
}
