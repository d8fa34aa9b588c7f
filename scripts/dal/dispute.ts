// After-sales on the exchange: the buyer disputes a delivery, an arbiter rules (refund part or all, settle the rest),
// and refunds the buyer takes when an order cannot go on: not delivered by its deadline, a dispute no arbiter ruled
// on within the timeout, or a delivered order that cannot settle (stranded). Refunds are credited on the exchange
// and withdrawn with `dal withdraw`, like every payment.
import { RefundReason } from "../../indexer/enums";
import { DalError, EXIT, usage } from "./exit";
import { hashArg } from "./hash";
import { decimal, id, toUnits } from "./parse";
import { Facts, cstTime } from "./report";
import type { Session } from "./session";
import { token } from "./token";
import { outcomeFacts } from "./trade";
import { eventOf, send } from "./tx";

/** IDataExchange.OrderStatus. */
const OrderStatus = ["None", "Paid", "Delivered", "Disputed", "Settled", "Refunded", "Remedied"] as const;

export async function dispute(session: Session, orderIdText: string, o: { evidence: string }): Promise<void> {
  const orderId = id("orderId", orderIdText);
  const evidenceHash = await hashArg("--evidence", o.evidence);
  const { chain, as } = await session.writer();
  const receipt = await send(() => as.exchange.dispute(orderId, evidenceHash));
  const disputed = eventOf(receipt, chain.exchange, "Disputed");
  const timeout = await chain.exchange.DISPUTE_TIMEOUT();
  session.facts(
    new Facts()
      .add("order id", orderId)
      .add("status", "Disputed")
      .add("evidence hash", evidenceHash)
      .add("disputed at", cstTime(disputed.disputedAt))
      // Trading time: a pause of the exchange moves it later.
      .add("dispute timeout ends", cstTime(disputed.disputedAt + timeout))
      .text("next", `an arbiter rules (dal resolve-dispute ${orderId}); with no ruling by then, anyone may refund the buyer in full (dal refund ${orderId})`)
      .add("tx", receipt.hash),
  );
}

/**
 * An arbiter's ruling (DataExchange.resolveDispute): `refund` of the price goes back to the buyer, the rest settles
 * (fee, commission, royalties, seller net) and the buyer's licence is issued for what the seller can still grant.
 * --refund all refunds the whole price (nothing settles); --refund 0 settles it all for the seller.
 */
export async function resolveDispute(session: Session, orderIdText: string, o: { refund: string; resolution: string }): Promise<void> {
  const orderId = id("orderId", orderIdText);
  const all = o.refund === "all";
  const refundTyped = all ? undefined : decimal("--refund", o.refund);
  const resolutionHash = await hashArg("--resolution", o.resolution);
  const { chain, as } = await session.writer();
  const order = await chain.exchange.orderOf(orderId); // an unknown order is refused here, in words (UnknownOrder)
  const listing = await chain.exchange.listingOf(order.listingId);
  const tok = await token(chain, listing.terms.token);
  const refund = all ? order.price : toUnits(refundTyped!, tok.decimals);
  if (refund > order.price) throw usage(`--refund: ${tok.show(refund)} is more than the price ${tok.show(order.price)} of order ${orderId}`);
  const receipt = await send(() => as.exchange.resolveDispute(orderId, refund, resolutionHash));
  const ruled = eventOf(receipt, chain.exchange, "DisputeResolved");
  const facts = new Facts()
    .add("order id", orderId)
    .add("refunded to buyer", `${tok.show(ruled.refunded)} to ${order.buyer}`, { ...tok.json(ruled.refunded), to: order.buyer })
    .add("settled", tok.show(ruled.settled), tok.json(ruled.settled))
    .add("resolution hash", resolutionHash)
    .add("resolved at", cstTime(ruled.resolvedAt));
  session.facts(await outcomeFacts(chain, receipt, facts));
}

/**
 * A refund the order's state allows, chosen by that state: Paid and past its delivery deadline (refundUndelivered,
 * the buyer), Disputed and past the arbiter's timeout (refundUnresolvedDispute, anyone), Delivered but unable to
 * settle because the exchange lost its roles or the registry or rights contract has been paused too long
 * (refundStranded, the buyer). The contract checks the deadlines and says when they end.
 */
export async function refund(session: Session, orderIdText: string): Promise<void> {
  const orderId = id("orderId", orderIdText);
  const { chain, as } = await session.writer();
  const order = await chain.exchange.orderOf(orderId); // an unknown order is refused here, in words (UnknownOrder)
  const status = OrderStatus[Number(order.status)] ?? String(order.status);
  const call =
    status === "Paid"
      ? () => as.exchange.refundUndelivered(orderId)
      : status === "Disputed"
        ? () => as.exchange.refundUnresolvedDispute(orderId)
        : status === "Delivered"
          ? () => as.exchange.refundStranded(orderId)
          : undefined;
  if (!call) {
    throw new DalError(
      EXIT.NOT_SENT,
      `not sent: order ${orderId} is ${status}; no refund applies (a refund is for an order not delivered by its deadline, ` +
        "a dispute not ruled on within the timeout, or a delivered order that cannot settle)",
    );
  }
  const receipt = await send(call);
  const refunded = eventOf(receipt, chain.exchange, "Refunded");
  const tok = await token(chain, refunded.token);
  session.facts(
    new Facts()
      .add("order id", orderId)
      .add("status", "Refunded")
      .add("reason", RefundReason[Number(refunded.reason)] ?? String(refunded.reason))
      .add("refund", tok.show(refunded.amount), tok.json(refunded.amount))
      .add("credited to", refunded.buyer)
      .text("next", "the buyer withdraws it: dal withdraw")
      .add("refunded at", cstTime(refunded.refundedAt))
      .add("tx", receipt.hash),
  );
}
