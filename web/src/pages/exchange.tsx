// The exchange page: a registrar's registrations by status, the enforcement sales of pledged assets on its venue, the
// objections waiting for its decision (and the registrations whose notice is over, due for review), and the
// settlements on its venue with their fees, by month.
// Monthly sums are exact: BigInt over the API's raw minor units, shown with the token's decimals.
import { lazy, Suspense } from "preact/compat";
import { useEffect, useState } from "preact/hooks";
import { gql, useGql } from "../api";
import { useT } from "../i18n";
import { cstTime, groupDigits, unitsToDecimal } from "../format";
import { Addr, AssetLink, ErrorText, Loading, Message, Section, StatusBadge } from "../components/ui";
import { duration } from "./home";
import { EnforcementSales } from "./exchangeEnforcement";

const Chart = lazy(() => import("../components/chart").then((m) => ({ default: m.Chart })));

const STATUSES = ["IN_NOTICE", "ACTIVE", "REJECTED", "CANCELLED"] as const;
const LIST = `nodes { id name registrationNumber status applicant holder submittedAt noticeEndsAt approvedAt openObjections
  objections { id objector filedAt open } } totalCount`;
const EXCHANGE = `query Exchange($id: Int!) {
  _meta { latestBlockTime }
  registrars { id code noticePeriodSeconds active }
  ${STATUSES.map((s) => `${s}: assets(where: { registrarId: $id, status: ${s} }, first: ${s === "IN_NOTICE" ? 100 : 20}, orderBy: ID_DESC) { ${LIST} }`).join("\n  ")}
}`;
const AMOUNT = `raw value token { symbol address decimals }`;
const SETTLEMENTS = `query Settlements($after: String) {
  settlements(first: 100, after: $after) {
    nodes { venueId settledAt gross { ${AMOUNT} } exchangeFee { ${AMOUNT} } merchantCommission { ${AMOUNT} } royaltyTotal { ${AMOUNT} } sellerNet { ${AMOUNT} } }
    pageInfo { hasNextPage endCursor }
  }
}`;
/** Pages of 100 settlements read for the monthly table (the API filters settlements by asset, not by venue). */
const MAX_PAGES = 50;

export function ExchangeIndex() {
  const t = useT();
  const q = useGql<any>(`{ registrars { id code noticePeriodSeconds active } }`, {}, "registrars");
  if (q.error) return <ErrorText error={q.error} />;
  if (!q.data) return <Loading />;
  return (
    <div class="page">
      <h1>{t("exchanges")}</h1>
      <Section title={t("exchanges")} id="exchanges" intro={t("exchangesIntro")}>
        <div class="table-wrap" tabIndex={0}>
          <table data-testid="exchanges">
            <thead>
              <tr>
                <th scope="col">{t("id")}</th>
                <th scope="col">{t("exchange")}</th>
                <th scope="col">{t("noticePeriod")}</th>
                <th scope="col">{t("active")}</th>
              </tr>
            </thead>
            <tbody>
              {q.data.registrars.map((r: any) => (
                <tr key={r.id} data-registrar-row={r.id}>
                  <td>{r.id}</td>
                  <td><a href={`/exchange/${r.id}`}>{r.code}</a></td>
                  <td>{r.noticePeriodSeconds / 86400} {t("days")}</td>
                  <td>{r.active ? t("yes") : t("no")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>
    </div>
  );
}

export function ExchangePage(props: { id: string }) {
  const t = useT();
  const valid = /^[1-9]\d{0,8}$/.test(props.id);
  const q = useGql<any>(EXCHANGE, valid ? { id: Number(props.id) } : null, `exchange:${props.id}`);
  if (!valid)
    return (
      <Message title={t("exchange")} kind="error">
        <p>{t("badExchangeId", { id: props.id })}</p>
        <p><a href="/exchange">{t("exchanges")}</a></p>
      </Message>
    );
  if (q.error) return <ErrorText error={q.error} />;
  if (!q.data) return <Loading />;
  const r = q.data.registrars.find((x: any) => String(x.id) === props.id);
  if (!r)
    return (
      <Message title={t("exchange")} kind="error">
        <p>{t("noExchange", { id: props.id })}</p>
        <p><a href="/exchange">{t("exchanges")}</a></p>
      </Message>
    );
  const now = q.data._meta.latestBlockTime;
  const inNotice: any[] = q.data.IN_NOTICE.nodes;
  const waiting = inNotice.flatMap((a) => a.objections.filter((o: any) => o.open).map((o: any) => ({ a, o })));
  const due = inNotice.filter((a) => Date.parse(a.noticeEndsAt) <= Date.parse(now) && a.openObjections === 0);
  return (
    <div class="page exchange" data-exchange={r.id}>
      <p class="crumbs">
        <a href="/">{t("home")}</a> / <a href="/exchange">{t("exchanges")}</a>
      </p>
      <h1>
        {t("exchange")} {r.code}
      </h1>
      <p class="sub">
        {t("id")} {r.id} · {t("noticePeriod")} {r.noticePeriodSeconds / 86400} {t("days")} · {r.active ? t("ACTIVE") : t("no")}
      </p>
      <Section title={t("byStatus")} id="by-status">
        <dl class="counts" data-testid="status-counts">
          {STATUSES.map((s) => (
            <div key={s}>
              <dt>{t.word(s)}</dt>
              <dd data-count={s}>{groupDigits(String(q.data[s].totalCount))}</dd>
            </div>
          ))}
        </dl>
        {STATUSES.filter((s) => q.data[s].nodes.length > 0).map((s) => (
          <details key={s} open={s === "IN_NOTICE"} data-status-group={s}>
            <summary>
              {t.word(s)} ({q.data[s].totalCount})
            </summary>
            <div class="table-wrap" tabIndex={0}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t("id")}</th>
                    <th scope="col">{t("regNo")}</th>
                    <th scope="col">{t("name")}</th>
                    <th scope="col">{t("statusCol")}</th>
                    <th scope="col">{t("applicant")}</th>
                    <th scope="col">{t("submittedAt")}</th>
                  </tr>
                </thead>
                <tbody>
                  {q.data[s].nodes.map((a: any) => (
                    <tr key={a.id} data-asset-row={a.id}>
                      <td>{a.id}</td>
                      <td class="mono">{a.registrationNumber ?? t("pending")}</td>
                      <td class="name"><AssetLink a={a} /></td>
                      <td><StatusBadge status={a.status} /></td>
                      <td><Addr a={a.applicant} /></td>
                      <td>{cstTime(a.submittedAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        ))}
      </Section>
      <EnforcementSales venueId={props.id} />
      <Section title={t("waitingObjections")} id="objections">
        {waiting.length === 0 ? (
          <p class="empty">{t("noWaiting")}</p>
        ) : (
          <div class="table-wrap" tabIndex={0}>
            <table data-testid="waiting">
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">{t("name")}</th>
                  <th scope="col">{t("objector")}</th>
                  <th scope="col">{t("filedAt")}</th>
                  <th scope="col">{t("noticeEndsAt")}</th>
                </tr>
              </thead>
              <tbody>
                {waiting.map(({ a, o }) => (
                  <tr key={o.id} data-objection={o.id} data-asset={a.id}>
                    <td>{o.id}</td>
                    <td class="name"><AssetLink a={a} /></td>
                    <td><Addr a={o.objector} /></td>
                    <td>{cstTime(o.filedAt)}</td>
                    <td>{cstTime(a.noticeEndsAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {due.length > 0 && (
          <>
            <h3>{t("noticeOver")}</h3>
            <ul data-testid="due">
              {due.map((a) => (
                <li key={a.id} data-due={a.id}>
                  <AssetLink a={a} /> · {t("noticeEndsAt")} {cstTime(a.noticeEndsAt)} ({duration((Date.parse(now) - Date.parse(a.noticeEndsAt)) / 1000, t.lang)})
                </li>
              ))}
            </ul>
          </>
        )}
      </Section>
      <FeesByMonth venueId={r.id} />
    </div>
  );
}

interface MonthRow {
  month: string;
  symbol: string;
  decimals: number | null;
  trades: number;
  gross: bigint;
  exchangeFee: bigint;
  merchantCommission: bigint;
  royaltyTotal: bigint;
  sellerNet: bigint;
}
const SUMS = ["gross", "exchangeFee", "merchantCommission", "royaltyTotal", "sellerNet"] as const;

/** Every settlement (paged) on this venue, summed by month (UTC+8) and token. */
function FeesByMonth(props: { venueId: number }) {
  const t = useT();
  const [state, setState] = useState<{ key: number; rows?: MonthRow[]; error?: string }>({ key: -1 });
  useEffect(() => {
    let live = true;
    (async () => {
      const rows = new Map<string, MonthRow>();
      let after: string | null = null;
      for (let page = 0; page < MAX_PAGES; page++) {
        const d: any = await gql(SETTLEMENTS, { after });
        for (const s of d.settlements.nodes) {
          if (s.venueId !== props.venueId) continue;
          const month = cstTime(s.settledAt).slice(0, 7);
          const tok = s.gross.token;
          const k = `${month}:${tok.address}`;
          const row = rows.get(k) ?? { month, symbol: tok.symbol ?? tok.address, decimals: tok.decimals, trades: 0, gross: 0n, exchangeFee: 0n, merchantCommission: 0n, royaltyTotal: 0n, sellerNet: 0n };
          row.trades++;
          for (const f of SUMS) row[f] += BigInt(s[f].raw);
          rows.set(k, row);
        }
        if (!d.settlements.pageInfo.hasNextPage) break;
        after = d.settlements.pageInfo.endCursor;
      }
      return [...rows.values()].sort((a, b) => (a.month + a.symbol < b.month + b.symbol ? -1 : 1));
    })().then(
      (rows) => live && setState({ key: props.venueId, rows }),
      (err: Error) => live && setState({ key: props.venueId, error: err.message }),
    );
    return () => {
      live = false;
    };
  }, [props.venueId]);
  const s: { rows?: MonthRow[]; error?: string } = state.key === props.venueId ? state : {};
  const show = (r: MonthRow, f: (typeof SUMS)[number]) => groupDigits(unitsToDecimal(r[f], r.decimals));
  return (
    <Section title={t("feesByMonth")} id="fees">
      {s.error ? (
        <ErrorText error={s.error} />
      ) : !s.rows ? (
        <Loading />
      ) : s.rows.length === 0 ? (
        <p class="empty">{t("noSettlements")}</p>
      ) : (
        <>
          <Suspense fallback={<Loading />}>
            <Chart
              testid="fees-chart"
              label={t("feesChart")}
              height={280}
              option={{
                tooltip: { trigger: "axis" },
                legend: { top: 0 },
                grid: { left: 80, right: 70, top: 40, bottom: 30 },
                xAxis: { type: "category", data: s.rows.map((r) => `${r.month}${new Set(s.rows!.map((x) => x.symbol)).size > 1 ? ` ${r.symbol}` : ""}`) },
                yAxis: [{ type: "value", name: t("gross") }, { type: "value", name: t("fee") }],
                color: ["#2563eb", "#d97706"],
                series: [
                  // Display only: the exact sums are in the table below.
                  { name: t("gross"), type: "bar", data: s.rows.map((r) => Number(unitsToDecimal(r.gross, r.decimals))) },
                  { name: t("fee"), type: "line", yAxisIndex: 1, data: s.rows.map((r) => Number(unitsToDecimal(r.exchangeFee, r.decimals))) },
                ],
              }}
            />
          </Suspense>
          <div class="table-wrap" tabIndex={0}>
            <table data-testid="fees">
              <thead>
                <tr>
                  <th scope="col">{t("month")}</th>
                  <th scope="col">{t("currency")}</th>
                  <th scope="col" class="num">{t("trades")}</th>
                  <th scope="col" class="num">{t("gross")}</th>
                  <th scope="col" class="num">{t("fee")}</th>
                  <th scope="col" class="num">{t("commission")}</th>
                  <th scope="col" class="num">{t("royaltyTotal")}</th>
                  <th scope="col" class="num">{t("sellerNet")}</th>
                </tr>
              </thead>
              <tbody>
                {s.rows.map((r) => (
                  <tr key={`${r.month}:${r.symbol}`} data-month={r.month}>
                    <td>{r.month}</td>
                    <td>{r.symbol}</td>
                    <td class="num" data-field="trades">{r.trades}</td>
                    {SUMS.map((f) => (
                      <td class="num" key={f} data-field={f}>{show(r, f)}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </Section>
  );
}
