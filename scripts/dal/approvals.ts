// approve --all-due: every registration of the signer's registrar(s) whose public notice has ended and that has no
// open objection, approved with progress and a summary (approved / skipped with the reason / failed).
//
// Where the candidates come from: the API (API_URL) lists the registrar's registrations in notice; when it does not
// answer, or with --chain-only, the chain's RegistrationSubmitted events (indexed by registrar) do. Either way each
// candidate is then read from the registry itself, which decides: the index may lag (an objection filed a block ago,
// an approval by another operator), and a transaction sent on stale data would only revert.
//
// Sending is one place, sendApprovals(): the due ids go in registry.approveBatch transactions of up to BATCH ids,
// and each asset's outcome is read from the receipt (RegistrationApproved, or ApprovalSkipped with the selector of
// the error a single approval would give: an objection filed since the check, for example). An id that is not the
// registrar's (its role revoked meanwhile) reverts its whole batch with BatchItemFailed: each of its ids is then
// reported failed with that error.
import type { Wallet } from "ethers";
import { Status } from "../../indexer/enums";
import { Api } from "./api";
import type { Chain } from "./env";
import { DalError, EXIT } from "./exit";
import { small } from "./parse";
import { Facts, cstTime, table, type Json } from "./report";
import type { Session } from "./session";
import { eventOf, send } from "./tx";
import type { ApproveOptions } from "./registry";

/** A registration found in notice, as the registry says it is now. */
interface Candidate {
  assetId: bigint;
  registrarId: number;
  name?: string;
  status: string;
  noticeEndsAt: bigint;
  openObjections: number;
  /** Open objection ids, when the source lists them (the API does). */
  objectionIds?: string[];
}

export type Outcome =
  | { assetId: bigint; result: "approved"; registrationNumber: string; holder: string; approvedAt: bigint; validUntil: bigint; tx: string }
  | { assetId: bigint; result: "failed"; error: DalError };

interface Skipped {
  assetId: bigint;
  reason: "in-notice" | "open-objections" | "not-in-notice";
  text: string;
  detail: Record<string, Json>;
}

type Writer = Awaited<ReturnType<Session["writer"]>>;

/**
 * Approves `ids` (each confirmed due on the chain just before) and reports every outcome through `onOutcome` as soon
 * as it is known, in order. A refusal of one asset does not stop the others; a failure that is not the contract's
 * refusal (the RPC lost, no gas funds) stops the run, and the ids not attempted are left out of the result.
 *
 * The one place to change for the registry's approveBatch(uint256[]): send chunks of `ids` in one transaction each and
 * map the receipt's RegistrationApproved events (or per-item failure events) back to ids.
 */
async function sendApprovals(w: Writer, ids: bigint[], onOutcome: (o: Outcome) => void): Promise<Outcome[]> {
  const { classify } = await import("./revert");
  const registry = w.chain.registry.interface;
  const outcomes: Outcome[] = [];
  const report = (o: Outcome) => {
    outcomes.push(o);
    onOutcome(o);
  };
  for (let i = 0; i < ids.length; i += BATCH) {
    const batch = ids.slice(i, i + BATCH);
    let receipt;
    try {
      receipt = await send(() => w.as.registry.approveBatch(batch));
    } catch (err) {
      const error = classify(err);
      for (const assetId of batch) report({ assetId, result: "failed", error });
      if (error.code !== EXIT.REFUSED) break;
      continue;
    }
    const approved = new Map<bigint, Outcome>();
    for (const log of receipt.logs) {
      if (log.address.toLowerCase() !== (w.chain.registry.target as string).toLowerCase()) continue;
      const ev = registry.parseLog(log);
      if (ev?.name === "RegistrationApproved") {
        const e = ev.args;
        approved.set(e.assetId, {
          assetId: e.assetId,
          result: "approved",
          registrationNumber: e.registrationNumber,
          holder: e.holder,
          approvedAt: e.approvedAt,
          validUntil: e.validUntil,
          tx: receipt.hash,
        });
      } else if (ev?.name === "ApprovalSkipped") {
        const name = registry.getError(ev.args.reason)?.name ?? ev.args.reason;
        approved.set(ev.args.assetId, {
          assetId: ev.args.assetId,
          result: "failed",
          error: new DalError(EXIT.REFUSED, `refused: skipped by approveBatch (${name}) in ${receipt.hash}`),
        });
      }
    }
    for (const assetId of batch) {
      report(approved.get(assetId) ?? { assetId, result: "failed", error: new DalError(EXIT.INTERNAL, `no outcome for asset ${assetId} in ${receipt.hash}`) });
    }
  }
  return outcomes;
}

/** Ids per approveBatch transaction (the registry takes up to 200; 50 keep each transaction near 1.3 M gas). */
const BATCH = 50;

/** The registrars the signer operates: --registrar (checked), else every registrar whose role it holds. */
async function registrarsOf(chain: Chain, wallet: Wallet, flag: string | undefined): Promise<number[]> {
  const count = Number(await chain.registry.registrarCount());
  const operates = async (r: number) => chain.registry.hasRole(await chain.registry.registrarRole(r), wallet.address);
  if (flag !== undefined) {
    const r = small("--registrar", flag, 1, 65_535);
    if (r > count) throw new DalError(EXIT.USAGE, `--registrar: there is no registrar ${r} (the registry has ${count})`);
    if (!(await operates(r))) {
      throw new DalError(
        EXIT.NOT_SENT,
        `not sent: ${wallet.address} is not an operator of registrar ${r} (it lacks registrar ${r}'s role). ` +
          "Hint: sign with the key of one of its operators (DAL_PRIVATE_KEY, or --keystore)",
      );
    }
    return [r];
  }
  const mine: number[] = [];
  for (let r = 1; r <= count; r++) if (await operates(r)) mine.push(r);
  if (mine.length === 0) {
    throw new DalError(
      EXIT.NOT_SENT,
      `not sent: ${wallet.address} operates no registrar (it holds none of the registrars' roles), so it can approve nothing. ` +
        "Hint: sign with a registrar's key (DAL_PRIVATE_KEY, or --keystore)",
    );
  }
  return mine;
}

interface ApiPage {
  assets: {
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    nodes: { id: string; name: string; objections: { id: string; open: boolean }[] }[];
  };
  _meta: { chainId: number; caughtUp: boolean };
}

/** Registrations in notice with `registrarId`, from the API: ids, names and open objection ids. */
async function fromApi(api: Api, chain: Chain, registrarId: number): Promise<{ ids: Map<bigint, { name: string; objectionIds: string[] }>; caughtUp: boolean }> {
  const ids = new Map<bigint, { name: string; objectionIds: string[] }>();
  let after: string | null = null;
  let caughtUp = true;
  for (;;) {
    const page: ApiPage = await api.query<ApiPage>(
      `query ($r: Int!, $after: String) {
        assets(where: { status: IN_NOTICE, registrarId: $r }, first: 100, after: $after) {
          pageInfo { hasNextPage endCursor } nodes { id name objections { id open } } }
        _meta { chainId caughtUp } }`,
      { r: registrarId, after },
    );
    if (page._meta.chainId !== chain.chainId) {
      throw new DalError(
        EXIT.WRONG_CHAIN,
        `wrong chain: the API at ${api.url} serves chain ${page._meta.chainId}, but ${chain.record.file} is for chain ${chain.chainId}. ` +
          `Set API_URL to the API of chain ${chain.chainId}, or use --chain-only`,
      );
    }
    caughtUp &&= page._meta.caughtUp;
    for (const a of page.assets.nodes) ids.set(BigInt(a.id), { name: a.name, objectionIds: a.objections.filter((o) => o.open).map((o) => o.id) });
    if (!page.assets.pageInfo.hasNextPage) break;
    after = page.assets.pageInfo.endCursor;
  }
  return { ids, caughtUp };
}

/** Every registration ever submitted to `registrarId`, from the chain's events (the registrar id is indexed). */
async function fromChainEvents(chain: Chain, registrarId: number): Promise<Map<bigint, { name: string }>> {
  const { registry, record } = chain;
  const events = await registry.queryFilter(registry.filters.RegistrationSubmitted(undefined, undefined, registrarId), record.startBlock);
  return new Map(events.map((e) => [e.args.assetId, { name: e.args.submission.name }]));
}

export async function approveAllDue(session: Session, o: ApproveOptions): Promise<number> {
  const w = await session.writer();
  const { chain, wallet } = w;
  const registrars = await registrarsOf(chain, wallet, o.registrar);

  const api = new Api(session.settings.apiUrl);
  const useApi = !o.chainOnly && (await api.reachable());
  const source = useApi ? `API ${api.url}, each checked on chain ${chain.chainId}` : `chain ${chain.chainId} via ${session.settings.rpcUrl}`;
  const notes: string[] = [];
  if (!useApi && !o.chainOnly) notes.push(`the API at ${api.url} did not answer; the registrations were found from the chain's events`);

  const candidates: Candidate[] = [];
  for (const registrarId of registrars) {
    const found = useApi ? await fromApi(api, chain, registrarId) : { ids: await fromChainEvents(chain, registrarId), caughtUp: true };
    if (!found.caughtUp) notes.push(`the index was still catching up; a registration submitted in the last blocks may be missing (it is in notice anyway)`);
    for (const [assetId, info] of found.ids) {
      const a = await chain.registry.assetOf(assetId);
      candidates.push({
        assetId,
        registrarId,
        name: info.name,
        status: Status[Number(a.status)],
        noticeEndsAt: a.noticeEndsAt,
        openObjections: Number(a.openObjections),
        objectionIds: "objectionIds" in info ? (info.objectionIds as string[]) : undefined,
      });
    }
  }
  candidates.sort((x, y) => (x.assetId < y.assetId ? -1 : 1));

  // The contract judges the notice by block.timestamp: the next block is later than the latest one.
  const now = BigInt((await chain.provider.getBlock("latest"))!.timestamp);
  const due: Candidate[] = [];
  const skipped: Skipped[] = [];
  for (const c of candidates) {
    if (c.status !== "InNotice") {
      // Listed by the API as in notice, but already approved, rejected or withdrawn on the chain (the index lags).
      if (useApi) skipped.push({ assetId: c.assetId, reason: "not-in-notice", text: `now ${c.status} on the chain`, detail: { status: c.status } });
    } else if (c.openObjections > 0) {
      const ids = c.objectionIds?.length ? ` (objection${c.objectionIds.length > 1 ? "s" : ""} ${c.objectionIds.join(", ")})` : "";
      skipped.push({
        assetId: c.assetId,
        reason: "open-objections",
        text: `${c.openObjections} open objection${c.openObjections > 1 ? "s" : ""}${ids}: resolve with dal objection dismiss|uphold`,
        detail: { openObjections: c.openObjections, objectionIds: c.objectionIds ?? null },
      });
    } else if (c.noticeEndsAt > now) {
      skipped.push({ assetId: c.assetId, reason: "in-notice", text: `in notice until ${cstTime(c.noticeEndsAt)}`, detail: { noticeEndsAt: cstTime(c.noticeEndsAt) } });
    } else {
      due.push(c);
    }
  }

  const progress = (line: string) => process.stderr.write(`${line}\n`);
  let outcomes: Outcome[] = [];
  if (!o.dryRun && due.length > 0) {
    progress(`approving ${due.length} registration${due.length > 1 ? "s" : ""} of registrar ${registrars.join(", ")} (one transaction each)`);
    let done = 0;
    outcomes = await sendApprovals(
      w,
      due.map((c) => c.assetId),
      (out) => {
        done += 1;
        progress(
          `[${done}/${due.length}] asset ${out.assetId}: ` +
            (out.result === "approved" ? `approved ${out.registrationNumber} (tx ${out.tx})` : `FAILED: ${out.error.message}`),
        );
      },
    );
  }
  const attempted = new Set(outcomes.map((x) => x.assetId));
  const notAttempted = o.dryRun ? [] : due.filter((c) => !attempted.has(c.assetId)).map((c) => c.assetId);
  if (notAttempted.length) notes.push(`stopped after a failure that was not a refusal: ${notAttempted.join(", ")} not attempted`);
  const approved = outcomes.filter((x) => x.result === "approved");
  const failed = outcomes.filter((x) => x.result === "failed");
  const nameOf = new Map(candidates.map((c) => [c.assetId, c.name ?? ""]));

  if (session.json) {
    session.print(
      JSON.stringify(
        {
          registrars,
          source,
          dryRun: !!o.dryRun,
          due: due.map((c) => c.assetId.toString()),
          approved: approved.map((x) => ({
            assetId: x.assetId.toString(),
            registrationNumber: x.registrationNumber,
            holder: x.holder,
            approvedAt: cstTime(x.approvedAt),
            validUntil: cstTime(x.validUntil),
            tx: x.tx,
          })),
          skipped: skipped.map((s) => ({ assetId: s.assetId.toString(), reason: s.reason, ...s.detail })),
          failed: failed.map((x) => ({ assetId: x.assetId.toString(), exitCode: x.error.code, error: x.error.message })),
          notAttempted: notAttempted.map(String),
          notes,
        },
        null,
        2,
      ) + "\n",
    );
  } else {
    const rows: string[][] = [];
    for (const c of due) {
      const out = outcomes.find((x) => x.assetId === c.assetId);
      const result = o.dryRun ? ["due", "would be approved"] : !out ? ["not attempted", ""] : out.result === "approved" ? ["approved", `${out.registrationNumber}, tx ${out.tx}`] : ["failed", out.error.message];
      rows.push([String(c.assetId), nameOf.get(c.assetId) ?? "", ...result]);
    }
    for (const s of skipped) rows.push([String(s.assetId), nameOf.get(s.assetId) ?? "", "skipped", s.text]);
    rows.sort((x, y) => Number(BigInt(x[0]) - BigInt(y[0])));
    const facts = new Facts()
      .add("registrar", registrars.join(", "))
      .add("source", source)
      .add(o.dryRun ? "due (dry run, nothing sent)" : "approved", o.dryRun ? due.length : approved.length)
      .add("skipped", skipped.length)
      .add("failed", o.dryRun ? undefined : failed.length);
    for (const n of notes) facts.text("note", n);
    session.print((rows.length ? table(["Asset", "Name", "Result", "Detail"], rows, [0]) + "\n" : "No registration of this registrar is in notice.\n\n") + facts.render(false));
  }
  return failed.length ? failed[0].error.code : EXIT.OK;
}
