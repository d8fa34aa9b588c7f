// pledge (file) / accept / release / consent / default / authorise-sale / withdraw, enforce, pledges: pledges (质押)
// of data assets on the pledge registry (DOMAIN.md §4 "Financing: pledges"). The record mirrors the pledge's
// registration with the legal registry (中登网, or an IP authority): its registry, number and time, which ranks it.
// The pledgor (the asset's holder) files; the pledgee accepts, consents, changes, releases, declares a default and
// enforces by a sale on the exchange. Read-only `pledges` reads the pledge registry's events and views, so it works
// without the API.
import { ZeroHash, encodeBytes32String, decodeBytes32String, toUtf8Bytes } from "ethers";
import type { IPledgeRegistry } from "../../typechain-types/contracts/PledgeRegistry";
import type { Chain } from "./env";
import { usage } from "./exit";
import { hashArg } from "./hash";
import { address, dateTime, dayEnd, decimal, duration, id, isHash, small, toUnits, type Decimal } from "./parse";
import { Facts, cstTime, table, type Json } from "./report";
import { Collateral, PledgeStatus, encumbranceWords } from "./revert";
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

/** One pledge read from the chain: the record, its rank among the asset's live pledges, what is outstanding. */
async function read(chain: Chain, pledgeId: bigint) {
  const p = await chain.pledges.pledgeOf(pledgeId); // an unknown pledge is refused here, in words (UnknownPledge)
  const [rank, outstanding, live] = await Promise.all([
    chain.pledges.rankOf(pledgeId),
    chain.pledges.outstandingOf(pledgeId),
    chain.pledges.livePledgesOf(p.terms.assetId),
  ]);
  return { p, rank, outstanding, live: live.length };
}

/** What the asset's live pledges restrict now, from the registry's encumbrance flags. */
async function encumbrance(chain: Chain, assetId: bigint): Promise<{ text: string; json: Json }> {
  const flags = Number((await chain.registry.assetOf(assetId)).encumbrance);
  const words = encumbranceWords(flags);
  return { text: words.length ? words.join(", ") : "nothing", json: { flags, restricts: words } };
}

/** The facts every pledge command ends with: where the pledge stands and what the asset's pledges restrict. */
async function standingFacts(chain: Chain, pledgeId: bigint, facts: Facts): Promise<Facts> {
  const { p, rank, outstanding, live } = await read(chain, pledgeId);
  const tok = await token(chain, p.terms.token);
  const enc = await encumbrance(chain, p.terms.assetId);
  return facts
    .add("status", standing(p, rank, live), PledgeStatus[Number(p.status)])
    .json("rank", rank === 0n ? null : Number(rank))
    .add("outstanding", tok.show(outstanding), tok.json(outstanding))
    .add("consents", consentNames(Number(p.consents)).join(", ") || "none", consentNames(Number(p.consents)))
    .add("asset restricted", enc.text, enc.json);
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
  debtor?: string;
  scope?: string;
  maximumAmount?: boolean;
  allowLicensing?: boolean;
  allowSelfSale?: boolean;
  contract?: string;
  contractHash?: string;
}

/** `dal pledge <asset> ...`: the pledgor (the asset's holder) files a pledge registered with the legal registry. */
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
  const pledgee = address("--pledgee", o.pledgee);
  const debtor = o.debtor === undefined ? undefined : address("--debtor", o.debtor);
  const amount = decimal("--amount", o.amount);
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
  const tok = await pledgeToken(chain, o.token);
  const securedAmount = toUnits(amount, tok.decimals, UINT128);
  if (securedAmount === 0n) throw usage("--amount: the secured amount must be more than 0");
  const terms: IPledgeRegistry.PledgeTermsStruct = {
    assetId,
    collateral: o.revenue ? 1 : 0,
    certId: 0n,
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
    reservePrice: 0n,
    externalRegistry,
    externalNumber: o.number,
    externalRegisteredAt: registeredAt,
  };
  const receipt = await send(() => as.pledges.file(terms));
  const filed = eventOf(receipt, chain.pledges, "PledgeFiled");
  const pledgeId: bigint = filed.pledgeId;
  const facts = new Facts()
    .add("pledge id", pledgeId)
    .add("asset id", assetId)
    .add("collateral", o.revenue ? "revenue (收益权): the holder's revenue from the asset goes to the pledgees in rank order" : "holding right", o.revenue ? "Revenue" : "Holding")
    .add("pledgor", filed.pledgor)
    .add("debtor", terms.debtor as string)
    .add("pledgee", pledgee)
    .add(o.maximumAmount ? "maximum amount (最高额)" : "secured amount", tok.show(securedAmount), tok.json(securedAmount))
    .json("maximumAmount", !!o.maximumAmount)
    .add("scope", scopeNames(scopeBits).join(", "), scopeNames(scopeBits))
    .add("term end", cstTime(termEnd))
    .add("main contract hash", mainContractHash)
    .add("licensing", o.allowLicensing ? "allowed without consent" : o.revenue ? "allowed (a revenue pledge is paid from it)" : "needs the pledgee's consent", !!o.allowLicensing)
    .add("self-sale on default", o.allowSelfSale ? "allowed" : "needs the pledgor's agreement or an arbiter's order", !!o.allowSelfSale)
    .add("legal registration", `${o.registry} ${o.number} at ${cstTime(registeredAt)}`, { registry: o.registry, number: o.number, registeredAt: cstTime(registeredAt) })
    .add("registrar", Number(filed.registrarId));
  await standingFacts(chain, pledgeId, facts);
  session.facts(facts.text("next", `the pledgee accepts: dal pledge accept ${pledgeId}`).add("tx", receipt.hash));
}

/** A pledge command of one call that names the pledge and ends with where it stands. */
async function act(
  session: Session,
  pledgeIdText: string,
  call: (as: Awaited<ReturnType<Session["writer"]>>["as"], pledgeId: bigint, chain: Chain) => Promise<any>,
  event: string,
  describe: (e: any, facts: Facts) => Facts,
  next?: (pledgeId: bigint, chain: Chain) => Promise<string | undefined>,
): Promise<void> {
  const pledgeId = id("pledgeId", pledgeIdText);
  const { chain, as } = await session.writer();
  await chain.pledges.pledgeOf(pledgeId); // an unknown pledge is refused here, in words (UnknownPledge)
  const receipt = await send(() => call(as, pledgeId, chain));
  const e = eventOf(receipt, chain.pledges, event);
  const facts = describe(e, new Facts().add("pledge id", pledgeId).add("asset id", e.assetId as bigint));
  await standingFacts(chain, pledgeId, facts);
  session.facts(facts.text("next", await next?.(pledgeId, chain)).add("tx", receipt.hash));
}

export const accept = (session: Session, pledgeId: string) =>
  act(session, pledgeId, (as, p) => as.pledges.accept(p), "PledgeAccepted", (e, f) => f.add("pledgee", e.pledgee).add("accepted at", cstTime(e.getValue("at"))));

export const release = (session: Session, pledgeId: string) =>
  act(session, pledgeId, (as, p) => as.pledges.release(p), "PledgeReleased", (e, f) => f.add("released by", e.by).add("released at", cstTime(e.getValue("at"))), async (p, chain) => {
    const assetId = (await chain.pledges.pledgeOf(p)).terms.assetId;
    return `junior pledges of asset ${assetId} move up a rank: dal pledges --asset ${assetId}`;
  });

export const withdraw = (session: Session, pledgeId: string) =>
  act(session, pledgeId, (as, p) => as.pledges.withdraw(p), "PledgeWithdrawn", (e, f) => f.add("withdrawn by", e.by).add("withdrawn at", cstTime(e.getValue("at"))));

export async function consent(session: Session, pledgeIdText: string, what: string): Promise<void> {
  const i = CONSENTS.indexOf(what as (typeof CONSENTS)[number]);
  if (i < 0) throw usage(`consent: "${what}" is not one of ${CONSENTS.join(", ")}`);
  await act(session, pledgeIdText, (as, p) => as.pledges.consent(p, i), "PledgeConsented", (e, f) => f.add("consent", what).add("consented at", cstTime(e.getValue("at"))));
}

export async function declareDefault(session: Session, pledgeIdText: string, o: { ruling?: string }): Promise<void> {
  const ruling = o.ruling === undefined ? undefined : await hashArg("--ruling", o.ruling);
  await act(
    session,
    pledgeIdText,
    (as, p) => (ruling ? as.pledges.ruleDefault(p, ruling) : as.pledges.declareDefault(p)),
    "PledgeDefaulted",
    (e, f) =>
      f
        .add("declared by", `${e.by}${e.byArbiter ? " (arbiter's ruling)" : " (pledgee)"}`, { address: e.by, arbiter: e.byArbiter })
        .add("ruling hash", e.byArbiter ? e.rulingHash : undefined)
        .add("defaulted at", cstTime(e.getValue("at"))),
    async (pledgeId, chain) => {
      const p = await chain.pledges.pledgeOf(pledgeId);
      if (Collateral[Number(p.terms.collateral)] !== "Holding") return "a revenue pledge is not sold: its revenue keeps going to the pledgees";
      return p.terms.selfSaleAllowed || p.saleAuthorised
        ? `the pledgee lists the holding for sale: dal enforce ${pledgeId} --price <decimal>`
        : `a sale needs the pledgor's agreement or an arbiter's order: dal pledge authorise-sale ${pledgeId} [--ruling <file>]`;
    },
  );
}

export async function authoriseSale(session: Session, pledgeIdText: string, o: { ruling?: string }): Promise<void> {
  const ruling = o.ruling === undefined ? ZeroHash : await hashArg("--ruling", o.ruling);
  await act(
    session,
    pledgeIdText,
    (as, p) => as.pledges.authoriseSale(p, ruling),
    "SaleAuthorised",
    (e, f) =>
      f
        .add("authorised by", `${e.by}${e.byArbiter ? " (arbiter's order)" : " (pledgor's agreement)"}`, { address: e.by, arbiter: e.byArbiter })
        .add("ruling hash", e.rulingHash === ZeroHash ? undefined : e.rulingHash)
        .add("authorised at", cstTime(e.getValue("at"))),
    async (pledgeId) => `the pledgee lists the holding for sale: dal enforce ${pledgeId} --price <decimal>`,
  );
}

export interface EnforceOptions {
  price: string;
  venue?: string;
  costs?: string;
  costsEvidence?: string;
  deliveryWindow: string;
  acceptanceWindow: string;
}

/** `dal enforce <id>`: the pledgee lists the pledged holding on the exchange after default (实现质权). */
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
  const receipt = await send(() =>
    as.pledges.enforce(pledgeId, { venueId, price: units, deliveryWindow, acceptanceWindow, costs: costUnits, costsEvidenceHash }),
  );
  const listed = eventOf(receipt, chain.pledges, "EnforcementListed");
  const facts = new Facts()
    .add("pledge id", pledgeId)
    .add("asset id", listed.assetId as bigint)
    .add("listing id", listed.listingId as bigint)
    .add("price", tok.show(units), tok.json(units))
    .add("enforcement costs", tok.show(costUnits), tok.json(costUnits))
    .add("costs evidence hash", costUnits === 0n ? undefined : costsEvidenceHash)
    .add("holder (pledgor)", listed.holder)
    .add("venue", venueId)
    .text(
      "proceeds",
      "the enforcement costs first, then every live pledge of the asset in rank order up to what it is owed, the rest to the holder",
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
  pledgor?: string;
  pledgee?: string;
}

/** `dal pledges`: pledges with rank, outstanding amount and status, from the pledge registry's events and views. */
export async function list(session: Session, o: ListOptions): Promise<void> {
  const assetId = o.asset === undefined ? undefined : id("--asset", o.asset);
  const pledgor = o.pledgor === undefined ? undefined : address("--pledgor", o.pledgor);
  const pledgee = o.pledgee === undefined ? undefined : address("--pledgee", o.pledgee);
  const chain = await session.chain();
  if (assetId !== undefined) await chain.registry.assetOf(assetId); // an unknown asset is refused here, in words
  const from = chain.record.contracts.PledgeRegistry?.blockNumber ?? chain.record.startBlock;
  const filed = await chain.pledges.queryFilter(chain.pledges.filters.PledgeFiled(undefined, assetId, pledgor), from);
  const tokens = new Map<string, Token>();
  const rows = [];
  for (const e of filed) {
    const { p, rank, outstanding, live } = await read(chain, e.args.pledgeId);
    if (pledgee !== undefined && p.terms.pledgee !== pledgee) continue;
    const t = p.terms.token;
    if (!tokens.has(t)) tokens.set(t, await token(chain, t));
    rows.push({ id: e.args.pledgeId, p, rank, outstanding, live, tok: tokens.get(t)! });
  }
  // The asset's live pledges in rank order first, then the others by id (as the API lists them).
  rows.sort((a, b) => {
    if (a.p.terms.assetId !== b.p.terms.assetId) return a.p.terms.assetId < b.p.terms.assetId ? -1 : 1;
    if ((a.rank > 0n) !== (b.rank > 0n)) return a.rank > 0n ? -1 : 1;
    if (a.rank !== b.rank) return a.rank < b.rank ? -1 : 1;
    return a.id < b.id ? -1 : 1;
  });
  if (session.json) {
    const pledges = rows.map(({ id: pid, p, rank, outstanding, tok }) => ({
      id: pid.toString(),
      assetId: p.terms.assetId.toString(),
      collateral: Collateral[Number(p.terms.collateral)],
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
      ["id", "asset", "collateral", "rank", "status", "secured", "outstanding", "term end", "pledgor", "pledgee", "legal registration"],
      rows.map(({ id: pid, p, rank, outstanding, tok }) => [
        String(pid),
        String(p.terms.assetId),
        Collateral[Number(p.terms.collateral)].toLowerCase() + (p.terms.maximumAmount ? " (max.)" : ""),
        rank === 0n ? "-" : String(rank),
        (PledgeStatus[Number(p.status)] ?? "").toLowerCase() + (p.objected ? ", objected" : "") + (p.listingId !== 0n ? `, listing ${p.listingId}` : ""),
        tok.show(p.terms.securedAmount),
        tok.show(outstanding),
        cstTime(p.terms.termEnd).slice(0, 10),
        p.pledgor,
        p.terms.pledgee,
        `${decodeBytes32String(p.terms.externalRegistry)} ${p.terms.externalNumber} ${cstTime(p.terms.externalRegisteredAt).slice(0, 16)}`,
      ]),
      [5, 6],
    ),
  );
  session.print(`${rows.length} pledge${rows.length === 1 ? "" : "s"}\n`);
}
