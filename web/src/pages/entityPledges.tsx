// The entity page's pledges tab, for lenders and borrowers: the pledges the entity holds as pledgee (its secured
// lending) and those it gave as pledgor, each with its asset, what is pledged, rank, status, secured and outstanding
// amounts, due date and loan-to-value, and the outstanding totals per currency of the live ones, added exactly in
// minor units.
import { useGql } from "../api";
import { useT } from "../i18n";
import { collateralLabel } from "../components/encumbrance";
import { cstDate, money, unitsToDecimal } from "../format";
import { Addr, AssetLink, ErrorText, Loading, Section } from "../components/ui";
import { ratioPercent } from "./assetPledges";

const AMOUNT = `raw value token { symbol address decimals }`;
const PAGE = 100;
/** The entity's pledges on one side (`pledgee` or `pledgor`), newest first as the API gives them. */
const pledgesAs = (side: "pledgee" | "pledgor") => `query EntityPledges($who: String!, $first: Int!) {
  pledges(${side}: $who, first: $first) {
    pageInfo { hasNextPage }
    nodes {
      id status live rank collateral certificateId pledgor pledgee termEnd
      asset { id name registrationNumber }
      securedAmount { ${AMOUNT} } outstanding { ${AMOUNT} }
      loanToValue { appraisal book }
    }
  }
}`;

export function EntityPledges(props: { entity: string }) {
  const t = useT();
  return (
    <Section title={t("tabPledges")} id="pledges" intro={t("entityPledgesIntro")}>
      <PledgeTable entity={props.entity} asPledgee={true} />
      <PledgeTable entity={props.entity} asPledgee={false} />
    </Section>
  );
}

/** Outstanding amounts of the live pledges, summed per currency in minor units. */
function outstandingTotals(nodes: any[]): string[] {
  const by = new Map<string, { raw: bigint; token: any }>();
  for (const p of nodes) {
    if (!p.live) continue;
    const k = p.outstanding.token.address;
    const e = by.get(k) ?? { raw: 0n, token: p.outstanding.token };
    e.raw += BigInt(p.outstanding.raw);
    by.set(k, e);
  }
  return [...by.values()].map((e) =>
    money({ raw: e.raw.toString(), value: e.token.decimals == null ? null : unitsToDecimal(e.raw, e.token.decimals), token: e.token }),
  );
}

function PledgeTable(props: { entity: string; asPledgee: boolean }) {
  const t = useT();
  const side = props.asPledgee ? "pledgee" : "pledgor";
  const q = useGql<any>(pledgesAs(side), { who: props.entity, first: PAGE }, `entity-pledges:${side}:${props.entity}`);
  const caption = t(props.asPledgee ? "asPledgee" : "asPledgor");
  if (q.error) return <ErrorText error={q.error} />;
  if (!q.data) return <Loading />;
  const page = q.data.pledges;
  const nodes: any[] = page.nodes;
  if (nodes.length === 0)
    return (
      <p class="empty" data-testid={`no-pledges-${side}`}>
        {caption}: {t("noEntityPledges")}
      </p>
    );
  const totals = outstandingTotals(nodes);
  return (
    <div class="table-wrap" tabIndex={0}>
      <table data-testid={`entity-pledges-${side}`}>
        <caption>
          {caption}
          {totals.length > 0 && <> · {t("liveOutstanding")} <span data-field="totals">{totals.join(" + ")}</span></>}
          {page.pageInfo.hasNextPage && <> · {t("firstN", { n: PAGE })}</>}
        </caption>
        <thead>
          <tr>
            <th scope="col">{t("pledge")}</th>
            <th scope="col">{t("pledgedAsset")}</th>
            <th scope="col">{t("collateral")}</th>
            <th scope="col">{t(props.asPledgee ? "pledgor" : "pledgee")}</th>
            <th scope="col">{t("statusCol")}</th>
            <th scope="col">{t("securedAmount")}</th>
            <th scope="col">{t("outstanding")}</th>
            <th scope="col">{t("termEnd")}</th>
            <th scope="col">{t("loanToValue")}</th>
          </tr>
        </thead>
        <tbody>
          {nodes.map((p) => (
            <tr key={p.id} data-pledge={p.id} data-status={p.status}>
              <td>
                <a href={`/asset/${p.asset.id}#pledges`}>#{p.id}</a>
              </td>
              <td>
                <AssetLink a={p.asset} />
              </td>
              <td>{collateralLabel(t, p)}</td>
              <td>
                <Addr a={props.asPledgee ? p.pledgor : p.pledgee} />
              </td>
              <td>
                <span class={`badge ps-${p.status.toLowerCase()}`}>{t(`PLEDGE_${p.status}` as any)}</span>
                {p.rank !== null && <span class="rank"> {t("rankN", { n: p.rank })}</span>}
              </td>
              <td class="num">{money(p.securedAmount)}</td>
              <td class="num" data-field="outstanding">{money(p.outstanding)}</td>
              <td>{cstDate(p.termEnd)}</td>
              <td data-field="ltv">
                {p.live
                  ? [
                      p.loanToValue.appraisal !== null ? `${ratioPercent(p.loanToValue.appraisal)} ${t("ltvAppraisal")}` : null,
                      p.loanToValue.book !== null ? `${ratioPercent(p.loanToValue.book)} ${t("ltvBook")}` : null,
                    ]
                      .filter(Boolean)
                      .join(" · ") || t("ltvNone")
                  : "—"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
