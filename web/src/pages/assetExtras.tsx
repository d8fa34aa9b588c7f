// The asset page's pictures and analyses: where a settlement's money went (a Sankey), the six quality dimensions (a
// radar), the rights valid at a chosen date with their sublicence chains, and the valuation's three approaches with
// every input (Indication.inputList, typed). Charts come from the lazily loaded ECharts chunk.
import { lazy, Suspense } from "preact/compat";
import { useState } from "preact/hooks";
import { useGql } from "../api";
import { useT } from "../i18n";
import { cstDate, cstTime, groupDigits, money, shortName } from "../format";
import { Addr, AssetLink, ErrorText, Loading, Section } from "../components/ui";
import { isDate } from "./entity";

const Chart = lazy(() => import("../components/chart").then((m) => ({ default: m.Chart })));

const AMOUNT = `raw value token { symbol address decimals }`;
const FLOWS = `query Flows($id: ID!) {
  settlements(where: { assetId: $id }, first: 40) {
    nodes { order { id } settledAt offer buyer seller gross { ${AMOUNT} }
      lines { kind payee sourceAsset { id name } amount { ${AMOUNT} } } }
  }
}`;

const LINE_LABEL: Record<string, "fee" | "commission" | "royaltyTotal" | "sellerNet"> = {
  ExchangeFee: "fee",
  MerchantCommission: "commission",
  Royalty: "royaltyTotal",
  SellerNet: "sellerNet",
};

/** Where the money of one settlement went: gross -> fee, commission, each royalty to its source asset, seller net. */
export function MoneyFlow(props: { id: string }) {
  const t = useT();
  const q = useGql<any>(FLOWS, { id: props.id }, `flows:${props.id}`);
  const [chosen, setChosen] = useState<string | null>(null);
  if (q.error) return <Section title={t("moneyFlow")} id="money-flow"><ErrorText error={q.error} /></Section>;
  if (!q.data) return <Section title={t("moneyFlow")} id="money-flow"><Loading /></Section>;
  const all: any[] = q.data.settlements.nodes;
  if (all.length === 0) return null;
  const preferred = all.find((s) => s.lines.some((l: any) => l.kind === "Royalty")) ?? all[0];
  const s = all.find((x) => x.order.id === chosen) ?? preferred;
  const label = (l: any) =>
    l.kind === "Royalty" ? `${t("royaltyTo")}${shortName(l.sourceAsset?.name ?? l.payee, t.lang)}` : t(LINE_LABEL[l.kind] ?? "sellerNet");
  const gross = `${t("gross")} ${money(s.gross)}`;
  // Royalties go through one node to each source, so the picture reads fee | commission | royalties | seller net.
  const royalties = s.lines.filter((l: any) => l.kind === "Royalty");
  const royaltyNode = t("royaltyTotal");
  const nodes = new Map<string, { name: string }>([[gross, { name: gross }]]);
  const links: { source: string; target: string; value: number; exact: string }[] = [];
  const num = (a: any) => Number(a.value ?? a.raw); // the picture's widths only; the figures are in the table
  for (const l of s.lines) {
    if (l.kind === "Royalty") continue;
    nodes.set(label(l), { name: label(l) });
    links.push({ source: gross, target: label(l), value: num(l.amount), exact: money(l.amount) });
  }
  if (royalties.length) {
    const total = royalties.reduce((n: bigint, l: any) => n + BigInt(l.amount.raw), 0n);
    nodes.set(royaltyNode, { name: royaltyNode });
    const sample = royalties[0].amount;
    links.push({ source: gross, target: royaltyNode, value: royalties.reduce((n: number, l: any) => n + num(l.amount), 0), exact: money({ ...sample, raw: String(total), value: null }) });
    for (const l of royalties) {
      nodes.set(label(l), { name: label(l) });
      links.push({ source: royaltyNode, target: label(l), value: num(l.amount), exact: money(l.amount) });
    }
  }
  return (
    <Section title={t("moneyFlow")} id="money-flow" intro={t("moneyFlowIntro")}>
      {all.length > 1 && (
        <label class="pick">
          {t("order")}{" "}
          <select value={s.order.id} onChange={(e) => setChosen((e.target as HTMLSelectElement).value)} data-testid="flow-order">
            {all.map((x) => (
              <option key={x.order.id} value={x.order.id}>
                #{x.order.id} · {cstTime(x.settledAt)} · {money(x.gross)}
              </option>
            ))}
          </select>
        </label>
      )}
      <Suspense fallback={<Loading />}>
        <Chart
          testid="money-flow-chart"
          label={`${t("moneyFlow")}: ${t("order")} #${s.order.id}`}
          height={Math.max(260, 60 + 46 * (nodes.size - 1))}
          option={{
            tooltip: { trigger: "item" },
            color: ["#9f1d22", "#2563eb", "#d97706", "#059669", "#7c3aed", "#0891b2", "#be185d"],
            series: [
              {
                type: "sankey",
                left: 10,
                right: 260,
                top: 10,
                bottom: 10,
                nodeGap: 14,
                emphasis: { focus: "adjacency" },
                lineStyle: { color: "gradient", curveness: 0.5, opacity: 0.35 },
                label: { fontSize: 13 },
                data: [...nodes.values()],
                links: links.map((l) => ({ source: l.source, target: l.target, value: l.value, exact: l.exact })),
              },
            ],
          }}
        />
      </Suspense>
      <div class="table-wrap" tabIndex={0}>
        <table data-testid="money-flow" data-order={s.order.id}>
          <caption>
            {t("order")} #{s.order.id} · {cstTime(s.settledAt)} · {t("gross")} <span data-field="gross">{money(s.gross)}</span>
          </caption>
          <thead>
            <tr>
              <th scope="col">{t("item")}</th>
              <th scope="col">{t("holder")}</th>
              <th scope="col" class="num">{t("gross")}</th>
            </tr>
          </thead>
          <tbody>
            {s.lines.map((l: any, i: number) => (
              <tr key={i} data-line-kind={l.kind} data-source={l.sourceAsset?.id ?? ""}>
                <td>{l.kind === "Royalty" && l.sourceAsset ? <>{t("royaltyTo")}<AssetLink a={l.sourceAsset} /></> : label(l)}</td>
                <td><Addr a={l.payee} /></td>
                <td class="num" data-field="amount">{money(l.amount)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Section>
  );
}

const DIMENSIONS: [string, string][] = [
  ["准确性", "Accuracy"],
  ["一致性", "Consistency"],
  ["完整性", "Completeness"],
  ["规范性", "Conformity"],
  ["时效性", "Timeliness"],
  ["可访问性", "Accessibility"],
];

/** The latest QualityAttested event's six scores (uint8[6], in the order of DIMENSIONS) as a radar. */
export function QualityRadar(props: { events: { name: string; chain: { blockNumber: number; time: string }; arguments: any[] }[] }) {
  const t = useT();
  const quality = props.events.filter((e) => e.name === "QualityAttested");
  const latest = quality[quality.length - 1];
  if (!latest) return <p class="empty">{t("noQuality")}</p>;
  const scores: number[] = (latest.arguments.find((a) => a.name === "scores")?.components ?? []).map((c: any) => Number(c.value));
  if (scores.length !== 6) return <p class="empty">{t("noQuality")}</p>;
  const names = DIMENSIONS.map(([zh, en]) => (t.lang === "zh" ? zh : en));
  return (
    <div class="quality" data-testid="quality">
      <h3>{t("quality")}</h3>
      <p class="intro">
        {t("qualityIntro")} {cstTime(latest.chain.time)} · {t("block")} {latest.chain.blockNumber}
      </p>
      <div class="quality-grid">
        <Suspense fallback={<Loading />}>
          <Chart
            testid="quality-chart"
            label={`${t("quality")}: ${names.map((n, i) => `${n} ${scores[i]}`).join(", ")}`}
            height={300}
            option={{
              tooltip: {},
              radar: { indicator: names.map((name) => ({ name, max: 100 })), radius: "65%" },
              color: ["#9f1d22"],
              series: [{ type: "radar", areaStyle: { opacity: 0.2 }, data: [{ value: scores, name: t("quality") }] }],
            }}
          />
        </Suspense>
        <table data-testid="quality-scores">
          <tbody>
            {names.map((n, i) => (
              <tr key={n} data-dimension={i}>
                <th scope="row">{n}</th>
                <td class="num">{scores[i]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

const RIGHTS = `query Rights($id: ID!, $at: String!) {
  rights(assetId: $id, validAt: $at, first: 100) {
    nodes { id kind holder grantor depth validFrom validUntil sublicensable transferable
      grantChain { id kind holder depth } }
  }
}`;

/** Certificates valid at a chosen date, each with its chain of grants from the root. */
export function RightsAt(props: { id: string; today: string }) {
  const t = useT();
  const [at, setAt] = useState(props.today);
  const [draft, setDraft] = useState(props.today);
  const [error, setError] = useState<string | null>(null);
  const q = useGql<any>(RIGHTS, { id: props.id, at }, `rights:${props.id}:${at}`);
  return (
    <Section title={t("rightsAt")} id="rights-at" intro={t("rightsAtIntro")}>
      <form
        class="date-form"
        data-testid="rights-form"
        onSubmit={(e) => {
          e.preventDefault();
          const v = draft.trim();
          if (!isDate(v)) return setError(t("badDate", { d: v }));
          setError(null);
          setAt(v);
        }}
      >
        <label>
          {t("date")}
          <input name="validAt" type="text" inputMode="numeric" placeholder="YYYY-MM-DD" size={11} value={draft} onInput={(e) => setDraft((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit">{t("show")}</button>
        {error && <p class="message error form-error" role="alert">{error}</p>}
      </form>
      {q.error ? (
        <ErrorText error={q.error} />
      ) : !q.data ? (
        <Loading />
      ) : q.data.rights.nodes.length === 0 ? (
        <p class="empty" data-testid="no-rights">{t("noRightsAt")}</p>
      ) : (
        <div class="table-wrap" tabIndex={0}>
          <table data-testid="rights-at" data-at={at}>
            <thead>
              <tr>
                <th scope="col">{t("certificate")}</th>
                <th scope="col">{t("kind")}</th>
                <th scope="col">{t("holder")}</th>
                <th scope="col">{t("term")}</th>
                <th scope="col">{t("chainOf")}</th>
              </tr>
            </thead>
            <tbody>
              {q.data.rights.nodes.map((c: any) => (
                <tr key={c.id} data-cert={c.id}>
                  <td>#{c.id}</td>
                  <td>{t.word(c.kind)}</td>
                  <td><Addr a={c.holder} /></td>
                  <td>{cstDate(c.validFrom)} — {cstDate(c.validUntil)}</td>
                  <td class="chain" data-chain={c.grantChain.map((g: any) => g.id).join(">")}>
                    {c.grantChain.map((g: any, i: number) => (
                      <span key={g.id}>
                        {i > 0 && " → "}#{g.id} <Addr a={g.holder} />
                      </span>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}

const INPUT = `name kind value amount { ${AMOUNT} } ratio { numerator denominator decimal }`;
const nested = (d: number): string => (d === 0 ? INPUT : `${INPUT} components { ${nested(d - 1)} }`);
const INDICATION = `approach computed reason value { ${AMOUNT} } inputList { ${nested(5)} }`;
const VALUATION = `query Valuation($id: ID!, $asOf: String!) {
  valuation(assetId: $id, asOf: $asOf) {
    token { symbol }
    appraisals { attestationId method value { ${AMOUNT} } valuationDate superseded }
    cost { ${INDICATION} } market { ${INDICATION} } income { ${INDICATION} }
  }
}`;

function InputTree(props: { items: any[] }) {
  return (
    <dl class="args inputs">
      {props.items.map((x) => ({ ...x, components: x.components ?? [] })).map((i) => (
        <div key={i.name} class={`arg ${i.components.length ? "struct" : ""}`} data-input={i.name} data-kind={i.kind}>
          <dt>{i.name}</dt>
          <dd>
            {i.kind === "Amount" && i.amount ? (
              money(i.amount)
            ) : i.kind === "Ratio" && i.ratio ? (
              <span title={i.ratio.decimal}>
                {groupDigits(i.ratio.numerator)} / {groupDigits(i.ratio.denominator)} = {i.ratio.decimal.replace(/(\.\d{6})\d+$/, "$1…")}
              </span>
            ) : i.kind === "Time" ? (
              cstTime(i.value)
            ) : i.components.length ? (
              <details open={i.components.length <= 8}>
                <summary>{i.kind === "List" ? `[${i.components.length}]` : "{…}"}</summary>
                <InputTree items={i.components} />
              </details>
            ) : i.kind === "Null" ? (
              "—"
            ) : i.kind === "List" ? (
              "[]"
            ) : (
              i.value
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** The valuation as of a chosen date: the appraisals on record and the three computed approaches with their inputs. */
export function Valuation(props: { id: string; today: string }) {
  const t = useT();
  const [asOf, setAsOf] = useState(props.today);
  const [draft, setDraft] = useState(props.today);
  const [error, setError] = useState<string | null>(null);
  const q = useGql<any>(VALUATION, { id: props.id, asOf }, `valuation:${props.id}:${asOf}`);
  return (
    <Section title={t("valuation")} id="valuation" intro={t("valuationIntro")}>
      <form
        class="date-form"
        data-testid="valuation-form"
        onSubmit={(e) => {
          e.preventDefault();
          const v = draft.trim();
          if (!isDate(v)) return setError(t("badDate", { d: v }));
          setError(null);
          setAsOf(v);
        }}
      >
        <label>
          {t("asOf")}
          <input name="asOf" type="text" inputMode="numeric" placeholder="YYYY-MM-DD" size={11} value={draft} onInput={(e) => setDraft((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit">{t("show")}</button>
        {error && <p class="message error form-error" role="alert">{error}</p>}
      </form>
      {q.error ? (
        <ErrorText error={q.error} />
      ) : !q.data ? (
        <Loading />
      ) : (
        <div class="valuation" data-testid="valuation">
          {q.data.valuation.appraisals.length > 0 && (
            <div class="table-wrap" tabIndex={0}>
              <table>
                <caption>{t("appraisals")}</caption>
                <tbody>
                  {q.data.valuation.appraisals.map((a: any) => (
                    <tr key={a.attestationId}>
                      <td>#{a.attestationId}</td>
                      <td>{t(`approach_${a.method.toLowerCase()}` as "approach_cost")}</td>
                      <td class="num">{money(a.value)}</td>
                      <td>{cstDate(a.valuationDate)}{a.superseded ? " (superseded)" : ""}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <div class="approaches">
            {(["cost", "market", "income"] as const).map((k) => {
              const i = q.data.valuation[k];
              return (
                <div key={k} class="approach" data-approach={k} data-computed={i.computed ? "yes" : "no"}>
                  <h3>{t(`approach_${k}`)}</h3>
                  {i.computed ? (
                    <>
                      <p class="value" data-field="value">{money(i.value)}</p>
                      <InputTree items={i.inputList} />
                    </>
                  ) : (
                    <p class="empty">
                      {t("notComputed")}
                      {i.reason}
                    </p>
                  )}
                </div>
              );
            })}
          </div>
        </div>
      )}
    </Section>
  );
}
