// Trading on the exchange: list, buy (allowance checked and set, price pinned), deliver, accept (settlement), settle
// (after an undisputed acceptance window) and withdraw. Prices are typed in whole tokens and converted exactly with
// the token's own decimals().
import { Offer, RefundReason } from "../../indexer/enums";
import { DalError, EXIT, usage } from "./exit";
import { hashArg } from "./hash";
import { address, decimal, duration, id, mask, ordinal, small, toUnits } from "./parse";
import { Facts, cstTime, type Json } from "./report";
import { scopeOf } from "./rights";
import type { Session } from "./session";
import { isUnlimited, resolveToken, token, type Token } from "./token";
import { eventOf, findEvent, send } from "./tx";
import type { ContractTransactionReceipt } from "ethers";
import type { Chain } from "./env";

const UINT128 = 2n ** 128n - 1n;

export interface ListOptions {
  price: string;
  offer: string;
  venue?: string;
  token?: string;
  termDays: string;
  quantity: string;
  scopeFile?: string;
  scopeMask: string;
  sublicensable?: boolean;
  transferable?: boolean;
  merchant?: string;
  merchantBps: string;
  deliveryWindow: string;
  acceptanceWindow: string;
  sellerCert?: string;
}

export async function list(session: Session, assetIdText: string, o: ListOptions): Promise<void> {
  const assetId = id("assetId", assetIdText);
  const price = decimal("--price", o.price);
  const offer = ordinal(Offer, "--offer", o.offer);
  const holding = Offer[offer] === "HoldingTransfer";
  const termDays = small("--term-days", o.termDays, 1, 3_650);
  const quantity = holding ? 1 : small("--quantity", o.quantity, 0, 2 ** 32 - 1);
  const scopeMask = mask("--scope-mask", o.scopeMask);
  const merchant = o.merchant === undefined ? "0x0000000000000000000000000000000000000000" : address("--merchant", o.merchant);
  const merchantBps = small("--merchant-bps", o.merchantBps, 0, 10_000);
  if (merchantBps > 0 && o.merchant === undefined) throw usage("--merchant-bps needs --merchant <address>");
  const deliveryWindow = duration("--delivery-window", o.deliveryWindow);
  const acceptanceWindow = duration("--acceptance-window", o.acceptanceWindow);
  const sellerCertId = o.sellerCert === undefined ? 0n : id("--seller-cert", o.sellerCert);
  let venueId = o.venue === undefined ? undefined : small("--venue", o.venue, 1, 65_535);
  const scope = holding
    ? { hash: "0x" + "0".repeat(64), document: undefined }
    : await scopeOf("--scope-file", o.scopeFile, { assetId: assetId.toString(), offer: Offer[offer], scopeMask, licenceTermDays: termDays });

  const { chain, as } = await session.writer();
  // A listing is filed with the exchange the asset is registered with unless another venue is named.
  venueId ??= Number((await chain.registry.assetOf(assetId)).registrarId);
  const tok = await token(chain, await resolveToken(chain, o.token));
  const units = toUnits(price, tok.decimals, UINT128);
  const receipt = await send(() =>
    as.exchange.list({
      assetId,
      sellerCertId,
      venueId: venueId!,
      offer,
      token: tok.address,
      price: units,
      maxQuantity: quantity,
      licenceTerm: holding ? 0 : termDays * 86_400,
      scopeHash: scope.hash,
      scopeMask,
      licenceSublicensable: !!o.sublicensable,
      licenceTransferable: !!o.transferable,
      merchant,
      merchantBps,
      deliveryWindow,
      acceptanceWindow,
    }),
  );
  const listed = eventOf(receipt, chain.exchange, "Listed");
  session.facts(
    new Facts()
      .add("listing id", listed.listingId)
      .add("asset id", assetId)
      .add("offer", Offer[offer])
      // A holding transfer with a seller certificate sells that certificate; otherwise licences are sold under it.
      .add(holding ? "certificate sold" : "seller certificate", sellerCertId === 0n ? undefined : sellerCertId)
      .add("price", tok.show(units), tok.json(units))
      .text("price (minor units)", units)
      .add("token", tok.address)
      .add("venue", venueId)
      .text("licence term", holding ? undefined : `${termDays} days`)
      .json("licenceTermDays", holding ? undefined : termDays)
      .add("scope hash", holding ? undefined : scope.hash)
      .add("scope document", scope.document)
      // JSON: null is unlimited.
      .add("quantity", quantity === 0 ? "unlimited" : quantity, quantity === 0 ? null : quantity)
      .add("merchant", merchantBps ? `${merchant} (${merchantBps} bps)` : undefined, { address: merchant, bps: merchantBps })
      .add("tx", receipt.hash),
  );
}

export async function buy(session: Session, listingIdText: string, o: { maxPrice?: string }): Promise<void> {
  const listingId = id("listingId", listingIdText);
  const maxPrice = o.maxPrice === undefined ? undefined : decimal("--max-price", o.maxPrice);
  const { chain, wallet, as } = await session.writer();
  const listing = await chain.exchange.listingOf(listingId);
  if (!listing.active) throw new DalError(EXIT.REFUSED, `refused: listing ${listingId} is withdrawn (ListingInactive)`);
  const tok = await token(chain, listing.terms.token, wallet);
  const price = listing.terms.price;
  if (maxPrice !== undefined) {
    const max = toUnits(maxPrice, tok.decimals);
    if (price > max) throw new DalError(EXIT.NOT_SENT, `not sent: the price ${tok.show(price)} is above --max-price ${tok.show(max)}`);
  }
  const balance = await tok.contract.balanceOf(wallet.address);
  if (balance < price) {
    throw new DalError(EXIT.INSUFFICIENT, `insufficient balance: ${wallet.address} has ${tok.show(balance)}, the price is ${tok.show(price)}`);
  }
  // The exchange pulls exactly the price into escrow: allow exactly that much if the standing allowance is short.
  const exchangeAddress = await chain.exchange.getAddress();
  const allowance = await tok.contract.allowance(wallet.address, exchangeAddress);
  let allowanceNote = `already ${showAllowance(tok, allowance)}`;
  let allowanceJson = { ...tok.json(allowance), unlimited: isUnlimited(allowance), setNow: false, tx: null as string | null };
  if (allowance < price) {
    const approval = await send(() => tok.contract.approve(exchangeAddress, price));
    allowanceNote = `set to ${tok.show(price)} (tx ${approval.hash})`;
    allowanceJson = { ...tok.json(price), unlimited: false, setNow: true, tx: approval.hash };
  }
  // The expected price pins what we showed: if the seller changed it meanwhile, the order reverts (PriceChanged).
  const receipt = await send(() => as.exchange.order(listingId, price));
  const ordered = eventOf(receipt, chain.exchange, "Ordered");
  session.facts(
    new Facts()
      .add("order id", ordered.orderId)
      .add("listing id", listingId)
      .add("asset id", ordered.assetId)
      .add("price", tok.show(price), tok.json(price))
      .add("allowance", allowanceNote, allowanceJson)
      .add("seller", ordered.seller)
      .add("delivery deadline", cstTime(ordered.deliveryDeadline))
      .add("tx", receipt.hash),
  );
}

export async function deliver(session: Session, orderIdText: string, o: { proof: string }): Promise<void> {
  const orderId = id("orderId", orderIdText);
  const proof = await hashArg("--proof", o.proof);
  const { chain, as } = await session.writer();
  // An enforcement sale's seller is the pledge registry: its pledgee delivers through it (deliverEnforcementSale).
  const order = await chain.exchange.orderOf(orderId);
  const seller = order.listingId === 0n ? undefined : (await chain.exchange.listingOf(order.listingId)).seller;
  const pledgeId =
    seller !== undefined && seller.toLowerCase() === chain.record.contracts.PledgeRegistry?.address.toLowerCase()
      ? await (await import("./pledge")).enforcementOfListing(chain, order.listingId)
      : undefined;
  const receipt = await send(() =>
    pledgeId === undefined ? as.exchange.deliver(orderId, proof) : as.pledges.deliverEnforcementSale(pledgeId, orderId, proof),
  );
  const delivered = eventOf(receipt, chain.exchange, "Delivered");
  session.facts(
    new Facts()
      .add("order id", orderId)
      .add("enforcement sale of pledge", pledgeId)
      .add("delivery hash", proof)
      .add("acceptance ends", cstTime(delivered.acceptanceEndsAt))
      .add("tx", receipt.hash),
  );
}

export async function accept(session: Session, orderIdText: string): Promise<void> {
  const orderId = id("orderId", orderIdText);
  const { chain, as } = await session.writer();
  const receipt = await send(() => as.exchange.accept(orderId));
  session.facts(await outcomeFacts(chain, receipt, new Facts().add("order id", orderId)));
}

/** Anyone settles a delivered order whose acceptance window passed without a dispute (the seller, to be paid). */
export async function settle(session: Session, orderIdText: string): Promise<void> {
  const orderId = id("orderId", orderIdText);
  const { chain, as } = await session.writer();
  const receipt = await send(() => as.exchange.settle(orderId));
  session.facts(await outcomeFacts(chain, receipt, new Facts().add("order id", orderId)));
}

/**
 * What settled, or what was refunded instead, in a receipt of the exchange (accept, resolve-dispute): the split of a
 * settlement (fee, commission, royalties, seller net, the certificate issued), else the refund, and the tx.
 */
export async function outcomeFacts(chain: Chain, receipt: ContractTransactionReceipt, facts: Facts): Promise<Facts> {
  const settled = findEvent(receipt, chain.exchange, "Settled");
  if (!settled) {
    // The seller could no longer grant what it sold (rights lapsed), or an arbiter refunded it all.
    const refunded = eventOf(receipt, chain.exchange, "Refunded");
    const tok = await token(chain, refunded.token);
    return facts
      .add("result", "refunded")
      .add("refund", tok.show(refunded.amount), tok.json(refunded.amount))
      .add("reason", RefundReason[Number(refunded.reason)] ?? String(refunded.reason))
      .add("tx", receipt.hash);
  }
  const s = settled.settlement;
  const tok = await token(chain, s.token);
  const holding = Offer[Number(s.offer)] === "HoldingTransfer";
  const certificateSold = holding && (await chain.exchange.listingOf(s.listingId)).terms.sellerCertId !== 0n;
  facts
    .add("result", "settled")
    .add("gross", tok.show(s.gross), tok.json(s.gross))
    .add("exchange fee", `${tok.show(s.exchangeFee)} to ${s.venueTreasury}`, { ...tok.json(s.exchangeFee), to: s.venueTreasury })
    .add(
      "merchant commission",
      s.merchantCommission > 0n ? `${tok.show(s.merchantCommission)} to ${s.merchant}` : tok.show(0n),
      { ...tok.json(s.merchantCommission), to: s.merchantCommission > 0n ? s.merchant : null },
    );
  for (const r of s.royalties) facts.text(`royalty for asset ${r.assetId}`, `${tok.show(r.amount)} to ${r.payee}`);
  facts.json(
    "royalties",
    s.royalties.map((r: { assetId: bigint; amount: bigint; payee: string }) => ({ assetId: r.assetId.toString(), ...tok.json(r.amount), to: r.payee })),
  );
  facts.add("seller net", `${tok.show(s.sellerNet)} to ${s.seller}`, { ...tok.json(s.sellerNet), to: s.seller });
  pledgedProceeds(chain, receipt, tok, facts);
  return facts
    // A ruling settles what the seller can still grant: no certificate when it can grant nothing.
    .add(
      certificateSold ? "rights certificate sold" : holding ? "registration certificate" : "rights certificate",
      s.certId === 0n ? "none" : s.certId,
      s.certId === 0n ? null : s.certId.toString(),
    )
    .add("settled at", cstTime(s.settledAt))
    .add("tx", receipt.hash);
}

export async function withdraw(session: Session, o: { token?: string; to?: string }): Promise<void> {
  const to = o.to === undefined ? undefined : address("--to", o.to);
  const { chain, wallet, as } = await session.writer();
  const tok = await token(chain, await resolveToken(chain, o.token));
  const credit = await chain.exchange.creditOf(wallet.address, tok.address);
  if (credit === 0n) throw new DalError(EXIT.INSUFFICIENT, `nothing to withdraw: ${wallet.address} has no credit in ${tok.symbol} (${tok.address})`);
  const receipt = await send(() => as.exchange.withdraw(tok.address, to ?? wallet.address));
  const withdrawn = eventOf(receipt, chain.exchange, "Withdrawn");
  session.facts(
    new Facts()
      .add("withdrawn", tok.show(withdrawn.amount), tok.json(withdrawn.amount))
      .add("to", withdrawn.to)
      .add("token", tok.address)
      .add("tx", receipt.hash),
  );
}

/**
 * Where pledged revenue went (ProceedsRouted, ProceedsApplied of the pledge registry): a revenue-pledged seller's net
 * or royalty, or an enforcement sale's proceeds, split among enforcement costs, pledgees in rank order and the holder.
 */
function pledgedProceeds(chain: Chain, receipt: ContractTransactionReceipt, tok: Token, facts: Facts): void {
  const address = (chain.pledges.target as string).toLowerCase();
  const routed: Record<string, unknown>[] = [];
  let applied: { pledgeId: string; to: string; amount: bigint }[] = [];
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== address) continue;
    const e = chain.pledges.interface.parseLog({ topics: [...log.topics], data: log.data });
    if (e?.name === "ProceedsApplied") applied.push({ pledgeId: e.args.pledgeId.toString(), to: e.args.pledgee, amount: e.args.amount });
    if (e?.name !== "ProceedsRouted") continue;
    const what = e.args.enforcement ? "enforcement sale" : e.args.asSeller ? "pledged revenue" : `pledged royalty of asset ${e.args.assetId}`;
    if (e.args.costs > 0n) facts.text(`${what}: enforcement costs`, `${tok.show(e.args.costs)} to ${e.args.costsTo}`);
    for (const a of applied) facts.text(`${what}: pledge ${a.pledgeId}`, `${tok.show(a.amount)} to ${a.to}`);
    facts.text(`${what}: to the holder`, `${tok.show(e.args.toHolder)} to ${e.args.holder}`);
    routed.push({
      assetId: e.args.assetId.toString(),
      enforcement: e.args.enforcement,
      asSeller: e.args.asSeller,
      amount: tok.json(e.args.amount),
      costs: { ...tok.json(e.args.costs), to: e.args.costs > 0n ? e.args.costsTo : null },
      pledges: applied.map((a) => ({ pledgeId: a.pledgeId, ...tok.json(a.amount), to: a.to })),
      holder: { ...tok.json(e.args.toHolder), to: e.args.holder },
    });
    applied = [];
  }
  if (routed.length) facts.json("pledgedProceeds", routed as Json);
}

/** An allowance as a person reads it: 2^256-1 is "unlimited", not a 78-digit amount. */
const showAllowance = (tok: Token, allowance: bigint) => (isUnlimited(allowance) ? "unlimited" : tok.show(allowance));
