// Accounting entries under 财会〔2023〕11号, kept per entity and asset in a "book": recognise opens one (an intangible
// with --awaiting-use when it is ready for use later), then cost (optionally linked to a settled exchange order the
// entity bought), ready (development becomes an intangible asset, or an intangible awaiting use gets its ready date), impair (or inventory write-down), reverse (write-down reversal)
// and derecognise. Dates are calendar days YYYY-MM-DD, recorded as 00:00 UTC+8; amounts are decimals in the book's
// currency, converted exactly to its minor units. The ledger accepts several books per entity, asset and category;
// recognise refuses a second open one unless --allow-duplicate says it is meant (a separate acquisition).
import { Category, CostPhase, CostSource, DerecognitionReason } from "../../indexer/enums";
import type { Chain } from "./env";
import { DalError, EXIT, usage } from "./exit";
import { hashArg } from "./hash";
import { address, dayStart, decimal, id, ordinal, small, toUnits } from "./parse";
import { Facts, cstTime } from "./report";
import type { Session } from "./session";
import { resolveToken, token } from "./token";
import { eventOf, send } from "./tx";

const UINT128 = 2n ** 128n - 1n;

interface Dated {
  date: string;
  evidence: string;
}

/** The checks every entry shares, done before any network use; the evidence file is hashed here too. */
async function dated(o: Dated) {
  return { date: dayStart("--date", o.date), evidenceHash: await hashArg("--evidence", o.evidence) };
}

export async function recognise(
  session: Session,
  assetIdText: string,
  o: Dated & {
    category: string;
    source: string;
    lifeMonths: string;
    awaitingUse?: boolean;
    residual: string;
    currency?: string;
    entity?: string;
    allowDuplicate?: boolean;
  },
): Promise<void> {
  const assetId = id("assetId", assetIdText);
  const category = ordinal(Category, "--category", o.category);
  const source = ordinal(CostSource, "--source", o.source);
  const lifeMonths = small("--life-months", o.lifeMonths, 0, 65_535);
  const awaiting = o.awaitingUse === true;
  if (awaiting && Category[category] !== "Intangible") {
    throw usage(`--awaiting-use is for an intangible asset (--category intangible); a ${o.category} book has no ready date of its own`);
  }
  if (awaiting && lifeMonths !== 0) {
    throw usage("--awaiting-use: the useful life is given when the asset is ready for use (dal record ready <book id> --life-months <n>)");
  }
  const residual = decimal("--residual", o.residual);
  const entityFlag = o.entity === undefined ? undefined : address("--entity", o.entity);
  const { date, evidenceHash } = await dated(o);
  const { chain, wallet, as } = await session.writer();
  const entity = entityFlag ?? wallet.address;
  const tok = await token(chain, await resolveToken(chain, o.currency, "--currency"));
  const residualUnits = toUnits(residual, tok.decimals, UINT128);
  const others = await openBooks(chain, entity, assetId, category);
  if (others.length > 0 && !o.allowDuplicate) {
    const first = others[0];
    throw new DalError(
      EXIT.NOT_SENT,
      `not sent: ${entity} already has book ${first.id} for asset ${assetId} as ${Category[category]}, on the books since ` +
        `${cstTime(first.recognisedOn).slice(0, 10)}${others.length > 1 ? ` (and ${others.length - 1} more)` : ""}; ` +
        `record further costs in it (dal record cost ${first.id} ...), or pass --allow-duplicate to open a separate book ` +
        `(a separate acquisition of the same asset, e.g. another licence with its own term and useful life)`,
    );
  }
  const receipt = await send(() =>
    awaiting
      ? as.ledger.recogniseAwaitingUse(entity, assetId, source, residualUnits, tok.address, date, evidenceHash)
      : as.ledger.recognise(entity, assetId, category, source, lifeMonths, residualUnits, tok.address, date, evidenceHash),
  );
  const e = eventOf(receipt, chain.ledger, "BookOpened");
  const ready = Category[category] !== "Intangible" ? undefined : awaiting ? "not yet (dal record ready <book id> records it)" : o.date;
  session.facts(
    new Facts()
      .add("book id", e.bookId)
      .add("entity", entity)
      .add("asset id", assetId)
      .add("category", Category[category])
      .add("source", CostSource[source])
      .text(
        "useful life",
        Category[category] === "Inventory" || awaiting ? undefined : lifeMonths === 0 ? "indefinite" : `${lifeMonths} months`,
      )
      // JSON: 0 is indefinite; absent for inventory and for an intangible awaiting use.
      .json("usefulLifeMonths", Category[category] === "Inventory" || awaiting ? undefined : lifeMonths)
      .text("ready for use", ready)
      .json("readyForUse", Category[category] !== "Intangible" ? undefined : awaiting ? null : o.date)
      .add("residual value", tok.show(residualUnits), tok.json(residualUnits))
      .add("currency", `${tok.symbol} (${tok.address})`, { token: tok.address, symbol: tok.symbol, decimals: tok.decimals })
      .add("date", o.date)
      .text("other open books", others.length ? `${others.map((b) => b.id).join(", ")} (opened anyway: --allow-duplicate)` : undefined)
      .json("otherOpenBooks", others.map((b) => b.id.toString()))
      .add("tx", receipt.hash),
  );
}

/** The entity's books of this asset still on the books (not derecognised) whose category is now `category`, found
 * on the chain (the index may lag): a book opened as development and since ready for use counts as intangible. */
async function openBooks(chain: Chain, entity: string, assetId: bigint, category: number): Promise<{ id: bigint; recognisedOn: bigint }[]> {
  const opened = await chain.ledger.queryFilter(chain.ledger.filters.BookOpened(undefined, entity, assetId), chain.record.startBlock);
  const books = [];
  for (const e of opened) {
    const book = await chain.ledger.bookOf(e.args.bookId);
    if (book.derecognisedOn === 0n && Number(book.category) === category) books.push({ id: e.args.bookId, recognisedOn: book.recognisedOn });
  }
  return books;
}

/** The book and its currency: amounts of later entries are in the book's currency. An unknown book reverts
 * (UnknownBook), said in words like every refusal. */
async function bookAndToken(session: Session, bookId: bigint) {
  const w = await session.writer();
  const book = await w.chain.ledger.bookOf(bookId);
  return { ...w, book, tok: await token(w.chain, book.currency) };
}

export async function cost(
  session: Session,
  bookIdText: string,
  o: Dated & { amount: string; source?: string; phase: string; order?: string },
): Promise<void> {
  const bookId = id("bookId", bookIdText);
  const amount = decimal("--amount", o.amount);
  const sourceFlag = o.source === undefined ? undefined : ordinal(CostSource, "--source", o.source);
  const phase = ordinal(CostPhase, "--phase", o.phase);
  const orderId = o.order === undefined ? 0n : id("--order", o.order);
  const { date, evidenceHash } = await dated(o);
  const { chain, as, book, tok } = await bookAndToken(session, bookId);
  const units = toUnits(amount, tok.decimals, UINT128);
  const source = sourceFlag ?? Number(book.source);
  const receipt = await send(() => as.ledger.addCost(bookId, units, source, phase, date, orderId, evidenceHash));
  eventOf(receipt, chain.ledger, "CostRecorded");
  session.facts(
    new Facts()
      .add("book id", bookId)
      .add("cost", tok.show(units), tok.json(units))
      .add("source", CostSource[source])
      .add("phase", CostPhase[phase])
      .add("capitalised", CostPhase[phase] === "Research" ? "no (research phase is expensed)" : "yes", CostPhase[phase] !== "Research")
      .add("order id", orderId || undefined)
      .add("date", o.date)
      .add("tx", receipt.hash),
  );
}

export async function ready(session: Session, bookIdText: string, o: Dated & { lifeMonths: string }): Promise<void> {
  const bookId = id("bookId", bookIdText);
  const lifeMonths = small("--life-months", o.lifeMonths, 0, 65_535);
  const { date, evidenceHash } = await dated(o);
  const { chain, as } = await session.writer();
  const receipt = await send(() => as.ledger.readyForUse(bookId, lifeMonths, date, evidenceHash));
  eventOf(receipt, chain.ledger, "ReadyForUse");
  session.facts(
    new Facts()
      .add("book id", bookId)
      .add("category", "Intangible (ready for use, amortised from this month)", "Intangible")
      .text("useful life", lifeMonths === 0 ? "indefinite" : `${lifeMonths} months`)
      .json("usefulLifeMonths", lifeMonths)
      .add("date", o.date)
      .add("tx", receipt.hash),
  );
}

export async function impair(session: Session, bookIdText: string, o: Dated & { amount: string }): Promise<void> {
  await amountEntry(session, bookIdText, o, "impair");
}

export async function reverse(session: Session, bookIdText: string, o: Dated & { amount: string }): Promise<void> {
  await amountEntry(session, bookIdText, o, "reverse");
}

async function amountEntry(session: Session, bookIdText: string, o: Dated & { amount: string }, kind: "impair" | "reverse") {
  const bookId = id("bookId", bookIdText);
  const amount = decimal("--amount", o.amount);
  const { date, evidenceHash } = await dated(o);
  const { chain, as, tok } = await bookAndToken(session, bookId);
  const units = toUnits(amount, tok.decimals, UINT128);
  const receipt = await send(() =>
    kind === "impair" ? as.ledger.impair(bookId, units, date, evidenceHash) : as.ledger.reverseWriteDown(bookId, units, date, evidenceHash),
  );
  eventOf(receipt, chain.ledger, kind === "impair" ? "ImpairmentRecorded" : "WriteDownReversed");
  session.facts(
    new Facts()
      .add("book id", bookId)
      .add(kind === "impair" ? "impairment" : "write-down reversed", tok.show(units), tok.json(units))
      .add("date", o.date)
      .add("tx", receipt.hash),
  );
}

export async function derecognise(session: Session, bookIdText: string, o: Dated & { reason: string; proceeds: string }): Promise<void> {
  const bookId = id("bookId", bookIdText);
  const reason = ordinal(DerecognitionReason, "--reason", o.reason);
  const proceeds = decimal("--proceeds", o.proceeds);
  const { date, evidenceHash } = await dated(o);
  const { chain, as, tok } = await bookAndToken(session, bookId);
  const units = toUnits(proceeds, tok.decimals, UINT128);
  const receipt = await send(() => as.ledger.derecognise(bookId, reason, units, date, evidenceHash));
  eventOf(receipt, chain.ledger, "Derecognised");
  session.facts(
    new Facts()
      .add("book id", bookId)
      .add("derecognised", DerecognitionReason[reason])
      .add("proceeds", tok.show(units), tok.json(units))
      .add("date", o.date)
      .add("tx", receipt.hash),
  );
}
