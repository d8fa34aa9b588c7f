// Attestations by accredited parties: a compliance assessment (assessor), six quality scores (assessor) or an
// appraisal report (appraiser), each with the hash of its report; --supersedes replaces an earlier one of the
// author's own.
import { ValuationMethod } from "../../indexer/enums";
import { usage } from "./exit";
import { hashArg } from "./hash";
import { dayStart, decimal, id, ordinal, scores as parseScores, toUnits } from "./parse";
import { Facts, cstTime } from "./report";
import type { Session } from "./session";
import { resolveToken, token } from "./token";
import { eventOf, send } from "./tx";

interface Common {
  report: string;
  supersedes?: string;
}

const supersedesOf = (o: Common) => (o.supersedes === undefined ? 0n : id("--supersedes", o.supersedes));

export async function attestCompliance(session: Session, assetIdText: string, o: Common & { passed?: boolean; failed?: boolean }): Promise<void> {
  const assetId = id("assetId", assetIdText);
  if (!!o.passed === !!o.failed) throw usage("say the result: exactly one of --passed or --failed");
  const supersedes = supersedesOf(o);
  const reportHash = await hashArg("--report", o.report);
  const { chain, as } = await session.writer();
  const receipt = await send(() => as.ledger.attestCompliance(assetId, !!o.passed, reportHash, supersedes));
  const e = eventOf(receipt, chain.ledger, "ComplianceAttested");
  session.facts(
    new Facts()
      .add("attestation id", e.attestationId)
      .add("asset id", assetId)
      .add("kind", "compliance")
      .add("result", o.passed ? "passed" : "failed")
      .json("passed", !!o.passed)
      .add("report hash", reportHash)
      .add("supersedes", supersedes || undefined)
      .add("attested at", cstTime(e.attestedAt))
      .add("tx", receipt.hash),
  );
}

const DIMENSIONS = ["accuracy", "consistency", "completeness", "conformity", "timeliness", "accessibility"];

export async function attestQuality(session: Session, assetIdText: string, o: Common & { scores: string }): Promise<void> {
  const assetId = id("assetId", assetIdText);
  const s = parseScores("--scores", o.scores);
  const supersedes = supersedesOf(o);
  const reportHash = await hashArg("--report", o.report);
  const { chain, as } = await session.writer();
  const receipt = await send(() => as.ledger.attestQuality(assetId, s as [number, number, number, number, number, number], reportHash, supersedes));
  const e = eventOf(receipt, chain.ledger, "QualityAttested");
  session.facts(
    new Facts()
      .add("attestation id", e.attestationId)
      .add("asset id", assetId)
      .add("kind", "quality")
      .add(
        "scores",
        DIMENSIONS.map((d, i) => `${d} ${s[i]}`).join(", "),
        Object.fromEntries(DIMENSIONS.map((d, i) => [d, s[i]])),
      )
      .add("report hash", reportHash)
      .add("supersedes", supersedes || undefined)
      .add("attested at", cstTime(e.attestedAt))
      .add("tx", receipt.hash),
  );
}

export async function attestAppraisal(
  session: Session,
  assetIdText: string,
  o: Common & { method: string; value: string; currency?: string; valuationDate: string },
): Promise<void> {
  const assetId = id("assetId", assetIdText);
  const method = ordinal(ValuationMethod, "--method", o.method);
  const value = decimal("--value", o.value);
  const valuationDate = dayStart("--valuation-date", o.valuationDate);
  const supersedes = supersedesOf(o);
  const reportHash = await hashArg("--report", o.report);
  const { chain, as } = await session.writer();
  const tok = await token(chain, await resolveToken(chain, o.currency, "--currency"));
  const units = toUnits(value, tok.decimals);
  const receipt = await send(() => as.ledger.attestAppraisal(assetId, method, units, tok.address, valuationDate, reportHash, supersedes));
  const e = eventOf(receipt, chain.ledger, "AppraisalAttested");
  session.facts(
    new Facts()
      .add("attestation id", e.attestationId)
      .add("asset id", assetId)
      .add("kind", "appraisal")
      .add("method", ValuationMethod[method])
      .add("value", tok.show(units), tok.json(units))
      .add("valuation date", o.valuationDate)
      .add("report hash", reportHash)
      .add("supersedes", supersedes || undefined)
      .add("attested at", cstTime(e.attestedAt))
      .add("tx", receipt.hash),
  );
}
