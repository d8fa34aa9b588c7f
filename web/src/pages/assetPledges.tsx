// The asset page's pledge panel (质押): each pledge with its rank, parties, what is pledged (the holding, the revenue,
// or one of the asset's rights certificates), the secured amount, what the pledgee received and is still owed, the
// term, the external registration that gives it legal effect, consents, licensing and self-sale terms (with the
// reserve price), objection, default, enforcement and loan-to-value. Live and filed pledges first (in the API's
// order: live ones by rank), released, enforced, voided and withdrawn ones below as history.
import { useGql } from "../api";
import { useT } from "../i18n";
import { cstDate, cstTime, money } from "../format";
import { Addr, ErrorText, Hash, Loading, Section } from "../components/ui";
import { collateralLabel, restrictLabel } from "../components/encumbrance";

const AMOUNT = `raw value token { symbol address }`;
const PLEDGES = `query Pledges($id: ID!) {
  asset(id: $id) {
    id
    pledges {
      id status live rank collateral certificateId certificate { validUntil revokedAt } pledgor debtor pledgee maximumAmount termEnd mainContractHash
      securedAmount { ${AMOUNT} } received { ${AMOUNT} } outstanding { ${AMOUNT} }
      scope { principal interest penalties damages enforcementCosts }
      licensingAllowed selfSaleAllowed reservePrice { ${AMOUNT} } externalRegistry externalNumber externalRegisteredAt
      consents { transfer cancellation licensing } restricts
      objection { open objector objectedAt upheld resolvedAt }
      default { at by byArbiter }
      saleAuthorisation { at by byArbiter }
      enforcement { listingId costs { ${AMOUNT} } orderId }
      filedAt acceptedAt endedAt
      proceeds { orderId amount { ${AMOUNT} } chain { blockNumber } }
      loanToValue { appraisal cumulativeAppraisal appraisalValue { ${AMOUNT} } appraisalDate book cumulativeBook bookCarryingAmount { ${AMOUNT} } asOf ahead { ${AMOUNT} } }
    }
  }
}`;

const CURRENT = new Set(["FILED", "LIVE", "DEFAULTED"]);

/** A 4-decimal ratio string as a percentage, exactly: "0.4500" -> "45.00%", "1.2345" -> "123.45%". */
export function ratioPercent(r: string): string {
  const m = /^(\d+)\.(\d{2})(\d*)$/.exec(r);
  if (!m) return r;
  const whole = BigInt(m[1] + m[2]).toString(); // the integer part of r x 100
  return `${whole}${m[3] ? "." + m[3] : ""}%`;
}

export function Pledges(props: { id: string }) {
  const t = useT();
  const q = useGql<any>(PLEDGES, { id: props.id }, `pledges:${props.id}`);
  const body = () => {
    if (q.error) return <ErrorText error={q.error} />;
    if (!q.data) return <Loading />;
    const all: any[] = q.data.asset?.pledges ?? [];
    if (all.length === 0) return <p class="empty" data-testid="no-pledges">{t("noPledges")}</p>;
    const current = all.filter((p) => CURRENT.has(p.status));
    const past = all.filter((p) => !CURRENT.has(p.status));
    return (
      <>
        {current.length > 0 && (
          <>
            <h3>{t("pledgesCurrent")}</h3>
            <div class="pledges" data-testid="pledges-current">
              {current.map((p) => <PledgeCard key={p.id} p={p} />)}
            </div>
          </>
        )}
        {past.length > 0 && (
          <>
            <h3>{t("pledgesHistory")}</h3>
            <div class="pledges history" data-testid="pledges-history">
              {past.map((p) => <PledgeCard key={p.id} p={p} />)}
            </div>
          </>
        )}
      </>
    );
  };
  return (
    <Section title={t("pledges")} id="pledges" intro={t("pledgesIntro")}>
      {body()}
    </Section>
  );
}

function PledgeCard(props: { p: any }) {
  const t = useT();
  const p = props.p;
  const yesNo = (b: boolean) => (b ? t("yes") : t("no"));
  const scope = (["principal", "interest", "penalties", "damages", "enforcementCosts"] as const).filter((k) => p.scope[k]).map((k) => t(`scope_${k}`));
  const consents = (["transfer", "cancellation", "licensing"] as const).filter((k) => p.consents[k]).map((k) => t(`consent_${k}`));
  const restricts = (p.restricts as string[]).map((r) => restrictLabel(t, r));
  const ltv = p.loanToValue;
  // Pledges ranked ahead are paid first from a sale: the cumulative ratio is what this lender's cover rests on.
  const ahead = ltv.ahead.raw !== "0";
  const rows: [string, any, string][] = [
    [t("collateral"), p.certificateId ? <a href="#certificates">{collateralLabel(t, p)}</a> : collateralLabel(t, p), "collateral"],
    [t("pledgee"), <Addr a={p.pledgee} />, "pledgee"],
    [t("pledgor"), <Addr a={p.pledgor} />, "pledgor"],
    [t("debtor"), <Addr a={p.debtor} />, "debtor"],
    [t("securedAmount"), `${money(p.securedAmount)}${p.maximumAmount ? ` (${t("maximumAmount")})` : ""}`, "securedAmount"],
    [t("received"), money(p.received), "received"],
    [t("outstanding"), money(p.outstanding), "outstanding"],
    [t("termEnd"), cstDate(p.termEnd), "termEnd"],
    [t("scope"), scope.join("、") || "—", "scope"],
    [t("externalRegistry"), p.externalRegistry, "externalRegistry"],
    [t("externalNumber"), <span class="mono">{p.externalNumber}</span>, "externalNumber"],
    [t("externalRegisteredAt"), cstTime(p.externalRegisteredAt), "externalRegisteredAt"],
    [t("consents"), consents.join("、") || t("none"), "consents"],
    [t("licensingAllowed"), yesNo(p.licensingAllowed), "licensingAllowed"],
    [t("selfSaleAllowed"), yesNo(p.selfSaleAllowed), "selfSaleAllowed"],
  ];
  if (p.reservePrice) rows.push([t("reservePrice"), money(p.reservePrice), "reservePrice"]);
  if (p.certificate) {
    // The collateral lapses with the certificate: a lender must see a term or revocation that leaves the debt bare.
    const lapsesFirst = Date.parse(p.certificate.validUntil) < Date.parse(p.termEnd);
    rows.push([
      t("certificateTerm"),
      <>
        {t("validUntilD", { d: cstDate(p.certificate.validUntil) })}
        {p.certificate.revokedAt && <span class="badge s-rejected">{t("revoked")}</span>}
        {lapsesFirst && <span class="badge encumbered small" data-warning="lapses-before-due">{t("lapsesBeforeDue")}</span>}
      </>,
      "certificateTerm",
    ]);
  }
  if (p.live) rows.push([t("restricts"), restricts.join("、") || t("none"), "restricts"]);
  rows.push([t("filedAtP"), cstTime(p.filedAt), "filedAt"]);
  if (p.acceptedAt) rows.push([t("acceptedAt"), cstTime(p.acceptedAt), "acceptedAt"]);
  if (p.endedAt) rows.push([t("endedAt"), cstTime(p.endedAt), "endedAt"]);
  if (p.objection)
    rows.push([
      t("objection"),
      <>
        {p.objection.open ? t("objectionOpen") : p.objection.upheld ? t("objectionUpheld") : t("objectionDismissed")} · <Addr a={p.objection.objector} /> · {cstTime(p.objection.objectedAt)}
      </>,
      "objection",
    ]);
  if (p.default) rows.push([t("defaultP"), `${cstTime(p.default.at)} · ${p.default.byArbiter ? t("byArbiter") : t("byPledgee")}`, "default"]);
  if (p.saleAuthorisation) rows.push([t("saleAuthorisation"), `${cstTime(p.saleAuthorisation.at)} · ${p.saleAuthorisation.byArbiter ? t("byOrder") : t("byPledgor")}`, "saleAuthorisation"]);
  if (p.enforcement)
    rows.push([
      t("enforcement"),
      [t("enforcementListing", { id: p.enforcement.listingId }), `${t("enforcementCosts")} ${money(p.enforcement.costs)}`, p.enforcement.orderId ? t("enforcementOrder", { id: p.enforcement.orderId }) : null]
        .filter(Boolean)
        .join(" · "),
      "enforcement",
    ]);
  if (p.live)
    rows.push([
      t("loanToValue"),
      ltv.appraisal === null && ltv.book === null ? (
        t("ltvNone")
      ) : (
        <>
          {ltv.appraisal !== null && (
            <div data-ltv="appraisal" data-ratio={ltv.appraisal} data-cumulative={ltv.cumulativeAppraisal}>
              {ratioPercent(ltv.appraisal)} {t("ltvAppraisal")} ({money(ltv.appraisalValue)}, {cstDate(ltv.appraisalDate)})
              {ahead && ` · ${t("ltvCumulative", { r: ratioPercent(ltv.cumulativeAppraisal) })}`}
            </div>
          )}
          {ltv.book !== null && (
            <div data-ltv="book" data-ratio={ltv.book} data-cumulative={ltv.cumulativeBook}>
              {ratioPercent(ltv.book)} {t("ltvBook")} ({money(ltv.bookCarryingAmount)}, {ltv.asOf})
              {ahead && ` · ${t("ltvCumulative", { r: ratioPercent(ltv.cumulativeBook) })}`}
            </div>
          )}
        </>
      ),
      "loanToValue",
    ]);
  rows.push([t("mainContractHash"), <Hash h={p.mainContractHash} />, "mainContractHash"]);
  return (
    <article class={`pledge p-${p.status.toLowerCase()}`} data-pledge={p.id} data-status={p.status} aria-labelledby={`pledge-${p.id}-h`}>
      <h4 id={`pledge-${p.id}-h`}>
        {t("pledge")} #{p.id}
        {p.rank !== null && <span class="rank" data-field="rank">{t("rankN", { n: p.rank })}</span>}
        <span class={`badge ps-${p.status.toLowerCase()}`} data-field="status">{t(`PLEDGE_${p.status}` as any)}</span>
      </h4>
      <dl class="facts wide">
        {rows.map(([label, value, field]) => (
          <div key={field} class={field === "loanToValue" ? "span2" : ""}>
            <dt>{label}</dt>
            <dd data-field={field}>{value}</dd>
          </div>
        ))}
      </dl>
      {p.proceeds.length > 0 && (
        <div class="table-wrap" tabIndex={0}>
          <table data-testid="pledge-proceeds">
            <caption>{t("proceeds")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("order")}</th>
                <th scope="col">{t("received")}</th>
                <th scope="col">{t("block")}</th>
              </tr>
            </thead>
            <tbody>
              {p.proceeds.map((r: any) => (
                <tr key={`${r.orderId}:${r.chain.blockNumber}`}>
                  <td>{r.orderId}</td>
                  <td class="num" data-field="amount">{money(r.amount)}</td>
                  <td>{r.chain.blockNumber}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </article>
  );
}
