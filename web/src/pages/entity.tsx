// The entity page for accountants: the balance sheet's data-resource lines as of any date with the books behind them,
// a chart of carrying amounts by category month by month, disclosure tables A and B of 财会〔2023〕11号 in their
// official rows and columns with the identity checks, the journal, the pledges it lends against or gave (for lenders),
// and the downloads (CSV, XLSX). The dates live in the URL (?asOf=&from=&to=&fromMonth=&toMonth=&tab=), so a view can
// be shared and reloaded.
import { lazy, Suspense } from "preact/compat";
import { useEffect, useState } from "preact/hooks";
import { gql, useGql } from "../api";
import { useT } from "../i18n";
import { cstDate, groupDigits, money, type Amount } from "../format";
import { navigate } from "../router";
import { AssetLink, ErrorText, Loading, Message, Section } from "../components/ui";
import { EntityPledges } from "./entityPledges";

const Chart = lazy(() => import("../components/chart").then((m) => ({ default: m.Chart })));

export const isAddress = (a: string) => /^0x[0-9a-fA-F]{40}$/.test(a);
export function isDate(d: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
  if (!m) return false;
  const t = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return t.getUTCFullYear() === +m[1] && t.getUTCMonth() === +m[2] - 1 && t.getUTCDate() === +m[3] && +m[1] >= 1970;
}
export const isMonth = (m: string) => /^\d{4}-(0[1-9]|1[0-2])$/.test(m) && +m.slice(0, 4) >= 1970;
/** "2026-02" -> "2026-02-28". */
export function monthEnd(month: string): string {
  const [y, m] = month.split("-").map(Number);
  return `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, "0")}`;
}
/** The months from..to inclusive ("YYYY-MM"). */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = from.split("-").map(Number);
  const [ty, tm] = to.split("-").map(Number);
  while (y < ty || (y === ty && m <= tm)) {
    out.push(`${y}-${String(m).padStart(2, "0")}`);
    if (++m > 12) (m = 1), y++;
  }
  return out;
}
const MAX_MONTHS = 36;

const AMOUNT = `raw value token { symbol address decimals }`;
const SHEET = `currency { symbol address decimals } inventory { ${AMOUNT} } intangible { ${AMOUNT} } development { ${AMOUNT} }`;
const BALANCE = `query Balance($entity: String!, $asOf: String!) {
  balanceSheet(entity: $entity, asOf: $asOf) { asOf ${SHEET}
    rows { bookId asset { id name registrationNumber } category source cost { ${AMOUNT} } accumulatedAmortisation { ${AMOUNT} }
      impairment { ${AMOUNT} } carryingAmount { ${AMOUNT} } } }
}`;
const ROW = `key section label purchased { ${AMOUNT} } selfDeveloped { ${AMOUNT} } other { ${AMOUNT} } total { ${AMOUNT} }`;
const TABLE = `title columns { purchased selfDeveloped other total } rows { ${ROW} }`;
const CARRYING = `intangible { ${AMOUNT} } inventory { ${AMOUNT} } development { ${AMOUNT} } total { ${AMOUNT} } intangibleAmortisation { ${AMOUNT} } assetIds bookIds`;
const PLEDGED = `restricted { ${CARRYING} } security { ${CARRYING} }`;
const DISCLOSURE = `query Disclosure($entity: String!, $from: String!, $to: String!) {
  disclosure(entity: $entity, from: $from, to: $to) { currency { symbol address } intangible { ${TABLE} } inventory { ${TABLE} }
    researchAndDevelopment { expensed { ${AMOUNT} } capitalised { ${AMOUNT} } total { ${AMOUNT} } }
    checks { name expected actual ok } checksPass
    pledgedDataResources { ${PLEDGED} } }
  closing: balanceSheet(entity: $entity, asOf: $to) { currency { address } rows { bookId asset { id name registrationNumber } category source carryingAmount { ${AMOUNT} } } }
}`;
const JOURNAL_FIRST = 40;
const JOURNAL = `query Journal($entity: String!, $from: String!, $to: String!) {
  journal(entity: $entity, from: $from, to: $to, first: ${JOURNAL_FIRST}) {
    taxExclusive pageInfo { hasNextPage }
    totals { currency { symbol } vouchers lines debit { ${AMOUNT} } credit { ${AMOUNT} } }
    vouchers { number date kind summary redInk
      lines { account { code name } debit { ${AMOUNT} } credit { ${AMOUNT} } registrationNumber assetName } }
  }
}`;

type Tab = "balance" | "disclosure" | "journal" | "pledges";

export function EntityPage(props: { address: string; query: URLSearchParams }) {
  const t = useT();
  const ok = isAddress(props.address);
  const meta = useGql<any>(`{ _meta { latestBlockTime } }`, ok ? {} : null, "meta");
  if (!ok)
    return (
      <Message title={t("entity")} kind="error">
        <p>{t("badAddress", { a: props.address })}</p>
        <p><a href="/entity">{t("entities")}</a></p>
      </Message>
    );
  if (meta.error) return <ErrorText error={meta.error} />;
  if (!meta.data) return <Loading />;
  const today = cstDate(meta.data._meta.latestBlockTime ?? new Date().toISOString());
  const q = props.query;
  const state = {
    tab: (["balance", "disclosure", "journal", "pledges"].includes(q.get("tab") ?? "") ? q.get("tab") : "balance") as Tab,
    asOf: q.get("asOf") ?? today,
    from: q.get("from") ?? `${today.slice(0, 4)}-01-01`,
    to: q.get("to") ?? today,
    fromMonth: q.get("fromMonth") ?? monthsBack(today.slice(0, 7), 11),
    toMonth: q.get("toMonth") ?? today.slice(0, 7),
  };
  const base = `/entity/${props.address}`;
  const link = (changes: Partial<typeof state>) => {
    const next = { ...state, ...changes };
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(next)) p.set(k, v);
    return `${base}?${p}`;
  };
  const tabs: [Tab, string][] = [
    ["balance", t("tabBalance")],
    ["disclosure", t("tabDisclosure")],
    ["journal", t("tabJournal")],
    ["pledges", t("tabPledges")],
  ];
  return (
    <div class="page entity" data-entity={props.address}>
      <p class="crumbs">
        <a href="/">{t("home")}</a> / <a href="/entity">{t("entities")}</a>
      </p>
      <h1>
        {t("entity")} <span class="mono entity-address">{props.address}</span>
      </h1>
      <nav class="tabs" aria-label={t("entity")}>
        {tabs.map(([k, label]) => (
          <a key={k} href={link({ tab: k })} aria-current={state.tab === k ? "page" : undefined} data-tab={k}>
            {label}
          </a>
        ))}
      </nav>
      {state.tab === "balance" && (
        <>
          <BalanceSheet entity={props.address} asOf={state.asOf} go={(asOf) => navigate(link({ asOf }), true)} />
          <CarryingChart
            entity={props.address}
            fromMonth={state.fromMonth}
            toMonth={state.toMonth}
            go={(fromMonth, toMonth) => navigate(link({ fromMonth, toMonth }), true)}
          />
        </>
      )}
      {state.tab === "disclosure" && (
        <Disclosure entity={props.address} from={state.from} to={state.to} go={(from, to) => navigate(link({ from, to }), true)} />
      )}
      {state.tab === "pledges" && <EntityPledges entity={props.address} />}
      {state.tab === "journal" && <Journal entity={props.address} from={state.from} to={state.to} go={(from, to) => navigate(link({ from, to }), true)} />}
      <Downloads entity={props.address} {...state} />
    </div>
  );
}

function monthsBack(month: string, n: number): string {
  let [y, m] = month.split("-").map(Number);
  m -= n;
  while (m < 1) (m += 12), y--;
  return `${y}-${String(m).padStart(2, "0")}`;
}

/** A small form of date (or month) fields that checks them before asking the API. */
function DateForm(props: {
  fields: { name: string; label: string; value: string; kind: "date" | "month" }[];
  onSubmit: (values: string[]) => void;
  extraCheck?: (values: string[]) => string | null;
  id: string;
}) {
  const t = useT();
  const [values, setValues] = useState(props.fields.map((f) => f.value));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setValues(props.fields.map((f) => f.value)), [props.fields.map((f) => f.value).join()]);
  return (
    <form
      class="date-form"
      data-testid={props.id}
      onSubmit={(e) => {
        e.preventDefault();
        for (const [i, f] of props.fields.entries()) {
          const v = values[i].trim();
          if (f.kind === "date" ? !isDate(v) : !isMonth(v)) return setError(t(f.kind === "date" ? "badDate" : "badMonth", { d: v }));
        }
        const problem = props.extraCheck?.(values.map((v) => v.trim())) ?? null;
        if (problem) return setError(problem);
        setError(null);
        props.onSubmit(values.map((v) => v.trim()));
      }}
    >
      {props.fields.map((f, i) => (
        <label key={f.name}>
          {f.label}
          <input
            name={f.name}
            type="text"
            inputMode="numeric"
            placeholder={f.kind === "date" ? "YYYY-MM-DD" : "YYYY-MM"}
            size={f.kind === "date" ? 11 : 8}
            value={values[i]}
            onInput={(e) => setValues(values.map((v, j) => (j === i ? (e.target as HTMLInputElement).value : v)))}
          />
        </label>
      ))}
      <button type="submit">{t("show")}</button>
      {error && (
        <p class="message error form-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

function periodCheck(t: ReturnType<typeof useT>) {
  return ([from, to]: string[]) => (from > to ? t("badPeriod") : null);
}

function BalanceSheet(props: { entity: string; asOf: string; go: (asOf: string) => void }) {
  const t = useT();
  const valid = isDate(props.asOf);
  const q = useGql<any>(BALANCE, valid ? { entity: props.entity, asOf: props.asOf } : null, `bs:${props.entity}:${props.asOf}`);
  return (
    <Section title={t("tabBalance")} id="balance" intro={t("balanceIntro")}>
      <DateForm id="balance-form" fields={[{ name: "asOf", label: t("asOf"), value: props.asOf, kind: "date" }]} onSubmit={([asOf]) => props.go(asOf)} />
      {!valid ? (
        <p class="message error" role="alert">{t("badDate", { d: props.asOf })}</p>
      ) : q.error ? (
        <ErrorText error={q.error} />
      ) : !q.data ? (
        <Loading />
      ) : q.data.balanceSheet.length === 0 ? (
        <p class="empty" data-testid="no-books">{t("noBooks")}</p>
      ) : (
        q.data.balanceSheet.map((s: any) => (
          <div key={s.currency.address} data-currency={s.currency.symbol ?? s.currency.address}>
            <div class="table-wrap" tabIndex={0}>
              <table class="lines" data-testid="balance-lines">
                <caption>
                  {t("asOf")} {props.asOf} · {t("currency")} {s.currency.symbol ?? s.currency.address}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">{t("line")}</th>
                    <th scope="col" class="num">{t("carrying")}</th>
                  </tr>
                </thead>
                <tbody>
                  {(["inventory", "intangible", "development"] as const).map((k) => (
                    <tr key={k} data-line={k}>
                      <th scope="row">{t(k === "inventory" ? "lineInventory" : k === "intangible" ? "lineIntangible" : "lineDevelopment")}</th>
                      <td class="num" data-field="amount">{money(s[k])}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <BookRows rows={s.rows} caption={t("bookDetail")} full />
          </div>
        ))
      )}
    </Section>
  );
}

function BookRows(props: { rows: any[]; caption: string; full?: boolean }) {
  const t = useT();
  if (props.rows.length === 0) return <p class="empty">{t("noBooks")}</p>;
  return (
    <div class="table-wrap" tabIndex={0}>
      <table data-testid="book-rows">
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t("book")}</th>
            <th scope="col">{t("name")}</th>
            <th scope="col">{t("regNo")}</th>
            <th scope="col">{t("category")}</th>
            <th scope="col">{t("source")}</th>
            {props.full && <th scope="col" class="num">{t("cost")}</th>}
            {props.full && <th scope="col" class="num">{t("amortisation")}</th>}
            {props.full && <th scope="col" class="num">{t("impairment")}</th>}
            <th scope="col" class="num">{t("carrying")}</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => (
            <tr key={r.bookId} data-book={r.bookId}>
              <td>#{r.bookId}</td>
              <td class="name"><AssetLink a={r.asset} /></td>
              <td class="mono">{r.asset.registrationNumber ?? "—"}</td>
              <td>{t.word(r.category)}</td>
              <td>{r.category === "Inventory" && r.source === "SelfDeveloped" ? (t.lang === "zh" ? "自行加工" : "Self-processed") : t.word(r.source)}</td>
              {props.full && <td class="num" data-field="cost">{money(r.cost)}</td>}
              {props.full && <td class="num" data-field="amortisation">{money(r.accumulatedAmortisation)}</td>}
              {props.full && <td class="num" data-field="impairment">{money(r.impairment)}</td>}
              <td class="num" data-field="carrying">{money(r.carryingAmount)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const CATEGORIES = [
  ["intangible", "Intangible"],
  ["inventory", "Inventory"],
  ["development", "Development"],
] as const;

function CarryingChart(props: { entity: string; fromMonth: string; toMonth: string; go: (from: string, to: string) => void }) {
  const t = useT();
  const problem = !isMonth(props.fromMonth)
    ? t("badMonth", { d: props.fromMonth })
    : !isMonth(props.toMonth)
      ? t("badMonth", { d: props.toMonth })
      : props.fromMonth > props.toMonth
        ? t("badPeriod")
        : monthsBetween(props.fromMonth, props.toMonth).length > MAX_MONTHS
          ? t("periodTooLong", { n: MAX_MONTHS })
          : null;
  const key = `chart:${props.entity}:${props.fromMonth}:${props.toMonth}`;
  const [state, setState] = useState<{ key: string; months?: { month: string; sheets: any[] }[]; error?: string }>({ key: "" });
  useEffect(() => {
    if (problem) return;
    let live = true;
    const months = monthsBetween(props.fromMonth, props.toMonth);
    // One request per 12 months (the API allows 20 aliases a query), in parallel.
    const batches: string[][] = [];
    for (let i = 0; i < months.length; i += 12) batches.push(months.slice(i, i + 12));
    Promise.all(
      batches.map((b) =>
        gql<Record<string, any[]>>(
          `query ($entity: String!) { ${b.map((m, i) => `m${i}: balanceSheet(entity: $entity, asOf: "${monthEnd(m)}") { ${SHEET} }`).join(" ")} }`,
          { entity: props.entity },
        ).then((d) => b.map((month, i) => ({ month, sheets: d[`m${i}`] }))),
      ),
    ).then(
      (parts) => live && setState({ key, months: parts.flat() }),
      (err: Error) => live && setState({ key, error: err.message }),
    );
    return () => {
      live = false;
    };
  }, [key]);
  const current = state.key === key ? state : { key, months: undefined, error: undefined };
  // One series per category and currency.
  const currencies = [...new Set((current.months ?? []).flatMap((m) => m.sheets.map((s: any) => s.currency.symbol ?? s.currency.address)))];
  const series = currencies.flatMap((cur) =>
    CATEGORIES.map(([field, cat]) => ({
      name: `${t.word(cat)}${currencies.length > 1 ? ` (${cur})` : ""}`,
      type: "bar",
      stack: cur,
      // Display only: the chart's axis needs numbers; the exact figures are in the table below.
      data: (current.months ?? []).map((m) => {
        const s = m.sheets.find((x: any) => (x.currency.symbol ?? x.currency.address) === cur);
        return s ? Number(s[field].value ?? s[field].raw) : 0;
      }),
    })),
  );
  return (
    <Section title={t("chart")} id="chart" intro={t("chartIntro")}>
      <DateForm
        id="chart-form"
        fields={[
          { name: "fromMonth", label: t("fromMonth"), value: props.fromMonth, kind: "month" },
          { name: "toMonth", label: t("toMonth"), value: props.toMonth, kind: "month" },
        ]}
        extraCheck={([f, to]) => (f > to ? t("badPeriod") : monthsBetween(f, to).length > MAX_MONTHS ? t("periodTooLong", { n: MAX_MONTHS }) : null)}
        onSubmit={([f, to]) => props.go(f, to)}
      />
      {problem ? (
        <p class="message error" role="alert">{problem}</p>
      ) : current.error ? (
        <ErrorText error={current.error} />
      ) : !current.months ? (
        <Loading />
      ) : (
        <>
          <Suspense fallback={<Loading />}>
            <Chart
              testid="carrying-chart"
              label={`${t("chart")} ${props.fromMonth} — ${props.toMonth}`}
              option={{
                tooltip: { trigger: "axis" },
                legend: { top: 0 },
                grid: { left: 90, right: 20, top: 40, bottom: 30 },
                xAxis: { type: "category", data: current.months.map((m) => m.month) },
                yAxis: { type: "value" },
                color: ["#2563eb", "#d97706", "#059669"],
                series,
              }}
            />
          </Suspense>
          <details class="chart-data">
            <summary>{t("chartTable")}</summary>
            <div class="table-wrap" tabIndex={0}>
              <table data-testid="chart-table">
                <thead>
                  <tr>
                    <th scope="col">{t("month")}</th>
                    <th scope="col">{t("currency")}</th>
                    {CATEGORIES.map(([, c]) => (
                      <th scope="col" class="num" key={c}>{t.word(c)}</th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {current.months.flatMap((m) =>
                    m.sheets.map((s: any) => (
                      <tr key={`${m.month}:${s.currency.address}`} data-month={m.month}>
                        <td>{monthEnd(m.month)}</td>
                        <td>{s.currency.symbol}</td>
                        {CATEGORIES.map(([f]) => (
                          <td class="num" key={f} data-field={f}>{groupDigits(s[f].value ?? s[f].raw)}</td>
                        ))}
                      </tr>
                    )),
                  )}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
    </Section>
  );
}

function Disclosure(props: { entity: string; from: string; to: string; go: (from: string, to: string) => void }) {
  const t = useT();
  const problem = !isDate(props.from) ? t("badDate", { d: props.from }) : !isDate(props.to) ? t("badDate", { d: props.to }) : props.from > props.to ? t("badPeriod") : null;
  const q = useGql<any>(DISCLOSURE, problem ? null : { entity: props.entity, from: props.from, to: props.to }, `disc:${props.entity}:${props.from}:${props.to}`);
  return (
    <Section title={t("tabDisclosure")} id="disclosure" intro={t("disclosureIntro")}>
      <DateForm
        id="disclosure-form"
        fields={[
          { name: "from", label: t("periodFrom"), value: props.from, kind: "date" },
          { name: "to", label: t("periodTo"), value: props.to, kind: "date" },
        ]}
        extraCheck={periodCheck(t)}
        onSubmit={([f, to]) => props.go(f, to)}
      />
      {problem ? (
        <p class="message error" role="alert">{problem}</p>
      ) : q.error ? (
        <ErrorText error={q.error} />
      ) : !q.data ? (
        <Loading />
      ) : q.data.disclosure.length === 0 ? (
        <p class="empty">{t("noDisclosure")}</p>
      ) : (
        q.data.disclosure.map((d: any) => {
          const closing = q.data.closing.find((s: any) => s.currency.address === d.currency.address)?.rows ?? [];
          return (
            <div key={d.currency.address} class="disclosure" data-currency={d.currency.symbol ?? d.currency.address}>
              <DisclosureTable id="table-a" label={t("tableA")} table={d.intangible} from={props.from} to={props.to} currency={d.currency.symbol} />
              <BookRows rows={closing.filter((r: any) => r.category !== "Inventory")} caption={`${t("tableA")} · ${t("assetsInTable")}`} />
              <DisclosureTable id="table-b" label={t("tableB")} table={d.inventory} from={props.from} to={props.to} currency={d.currency.symbol} />
              <BookRows rows={closing.filter((r: any) => r.category === "Inventory")} caption={`${t("tableB")} · ${t("assetsInTable")}`} />
              <div class="table-wrap" tabIndex={0}>
                <table data-testid="rd">
                  <caption>{t("rd")}</caption>
                  <tbody>
                    {(
                      [
                        ["expensed", "rdExpensed"],
                        ["capitalised", "rdCapitalised"],
                        ["total", "total"],
                      ] as const
                    ).map(([k, label]) => (
                      <tr key={k} data-rd={k}>
                        <th scope="row">{t(label)}</th>
                        <td class="num">{money(d.researchAndDevelopment[k])}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <PledgedResources p={d.pledgedDataResources} />
              <Checks checks={d.checks} pass={d.checksPass} symbol={d.currency.symbol} />
            </div>
          );
        })
      )}
    </Section>
  );
}

/** 所有权或使用权受到限制的数据资源 and 用于担保的数据资源 at the period end, with the period's amortisation (财会〔2023〕11号). */
function PledgedResources(props: { p: any }) {
  const t = useT();
  const cols = [
    ["intangible", t("Intangible")],
    ["inventory", t("Inventory")],
    ["development", t("Development")],
    ["total", t("total")],
    ["intangibleAmortisation", t("periodAmortisation")],
  ] as const;
  return (
    <div class="table-wrap" tabIndex={0}>
      <table data-testid="pledged">
        <caption>{t("pledgedResources")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("item")}</th>
            {cols.map(([k, label]) => (
              <th key={k} scope="col" class="num">{label}</th>
            ))}
            <th scope="col">{t("pledgedAssets")}</th>
          </tr>
        </thead>
        <tbody>
          {(
            [
              ["restricted", "pledgedRestricted"],
              ["security", "pledgedSecurity"],
            ] as const
          ).map(([k, label]) => (
            <tr key={k} data-pledged={k}>
              <th scope="row">{t(label)}</th>
              {cols.map(([c]) => (
                <td key={c} class="num" data-col={c}>{groupDigits(props.p[k][c].value ?? props.p[k][c].raw)}</td>
              ))}
              <td data-field="assets">
                {props.p[k].assetIds.length === 0
                  ? "—"
                  : props.p[k].assetIds.map((id: string, i: number) => (
                      <span key={id}>
                        {i > 0 && "、"}
                        <a href={`/asset/${id}`}>#{id}</a>
                      </span>
                    ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function DisclosureTable(props: { id: string; label: string; table: any; from: string; to: string; currency: string }) {
  const t = useT();
  const cols = ["purchased", "selfDeveloped", "other", "total"] as const;
  // The section heading spans its rows, as in the printed table.
  const spans = new Map<string, number>();
  for (const r of props.table.rows) spans.set(r.section, (spans.get(r.section) ?? 0) + 1);
  const seen = new Set<string>();
  return (
    <div class="table-wrap" tabIndex={0}>
      <table class="disclosure-table" data-testid={props.id}>
        <caption>
          <strong>
            {props.label} {props.table.title}
          </strong>{" "}
          · {props.from} — {props.to} · {t("currency")} {props.currency}
        </caption>
        <thead>
          <tr>
            <th scope="col" colSpan={2}>{t("item")}</th>
            {cols.map((c) => (
              <th scope="col" class="num" key={c}>{props.table.columns[c]}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.table.rows.map((r: any) => {
            const first = !seen.has(r.section);
            seen.add(r.section);
            return (
              <tr key={r.key} data-row={r.key} class={r.key.split(".").length > 2 ? "sub" : ""}>
                {first && (
                  <th scope="rowgroup" rowSpan={spans.get(r.section)} class="section">
                    {r.section}
                  </th>
                )}
                <th scope="row" class="label">{r.label}</th>
                {cols.map((c) => (
                  <td class="num" key={c} data-col={c}>{groupDigits(r[c].value ?? r[c].raw)}</td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function Checks(props: { checks: any[]; pass: boolean; symbol: string }) {
  const t = useT();
  const fmt = (raw: string) => groupDigits(raw.replace(/^(-?)(\d*?)(\d{1,2})$/, (_, s, a, b) => `${s}${a || "0"}.${b.padStart(2, "0")}`));
  return (
    <details class="checks" open={!props.pass} data-testid="checks" data-pass={props.pass ? "yes" : "no"}>
      <summary>
        {t("checks")} ({props.checks.length}):{" "}
        <span class={`badge ${props.pass ? "s-active" : "s-rejected"}`}>{props.pass ? t("checksPass") : t("checksFail")}</span>
      </summary>
      <div class="table-wrap" tabIndex={0}>
        <table>
          <thead>
            <tr>
              <th scope="col">{t("checks")}</th>
              <th scope="col" class="num">{t("expected")} ({props.symbol})</th>
              <th scope="col" class="num">{t("actual")} ({props.symbol})</th>
              <th scope="col">{t("statusCol")}</th>
            </tr>
          </thead>
          <tbody>
            {props.checks.map((c, i) => (
              <tr key={i} data-ok={c.ok ? "yes" : "no"}>
                <td>{c.name}</td>
                <td class="num">{fmt(c.expected)}</td>
                <td class="num">{fmt(c.actual)}</td>
                <td>{c.ok ? "✓" : "✗"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

function Journal(props: { entity: string; from: string; to: string; go: (from: string, to: string) => void }) {
  const t = useT();
  const problem = !isDate(props.from) ? t("badDate", { d: props.from }) : !isDate(props.to) ? t("badDate", { d: props.to }) : props.from > props.to ? t("badPeriod") : null;
  const q = useGql<any>(JOURNAL, problem ? null : { entity: props.entity, from: props.from, to: props.to }, `journal:${props.entity}:${props.from}:${props.to}`);
  const amt = (a: Amount) => (a.raw === "0" ? "" : groupDigits(a.value ?? a.raw));
  return (
    <Section title={t("tabJournal")} id="journal" intro={t("journalIntro")}>
      <DateForm
        id="journal-form"
        fields={[
          { name: "from", label: t("periodFrom"), value: props.from, kind: "date" },
          { name: "to", label: t("periodTo"), value: props.to, kind: "date" },
        ]}
        extraCheck={periodCheck(t)}
        onSubmit={([f, to]) => props.go(f, to)}
      />
      {problem ? (
        <p class="message error" role="alert">{problem}</p>
      ) : q.error ? (
        <ErrorText error={q.error} />
      ) : !q.data ? (
        <Loading />
      ) : (
        <>
          <ul class="totals" data-testid="journal-totals">
            {q.data.journal.totals.map((x: any) => (
              <li key={x.currency.symbol}>
                {x.currency.symbol}: {t("vouchersTotal", { v: x.vouchers, l: x.lines })} · {t("debit")} {money(x.debit)} · {t("credit")} {money(x.credit)}
              </li>
            ))}
          </ul>
          {q.data.journal.vouchers.length === 0 ? (
            <p class="empty">{t("noVouchers")}</p>
          ) : (
            <div class="table-wrap" tabIndex={0}>
              <table class="journal" data-testid="journal">
                <thead>
                  <tr>
                    <th scope="col">{t("date")}</th>
                    <th scope="col">{t("voucher")}</th>
                    <th scope="col">{t("summary")}</th>
                    <th scope="col">{t("account")}</th>
                    <th scope="col" class="num">{t("debit")}</th>
                    <th scope="col" class="num">{t("credit")}</th>
                    <th scope="col">{t("regNo")}</th>
                  </tr>
                </thead>
                <tbody>
                  {q.data.journal.vouchers.flatMap((v: any) =>
                    v.lines.map((l: any, i: number) => (
                      <tr key={`${v.number}:${i}`} data-voucher={v.number} class={i === 0 ? "voucher-first" : ""}>
                        <td>{i === 0 ? v.date : ""}</td>
                        <td class="mono">{i === 0 ? v.number : ""}</td>
                        <td>{i === 0 ? v.summary : ""}</td>
                        <td>
                          {l.account.code} {l.account.name}
                        </td>
                        <td class="num">{amt(l.debit)}</td>
                        <td class="num">{amt(l.credit)}</td>
                        <td class="mono">{l.registrationNumber ?? ""}</td>
                      </tr>
                    )),
                  )}
                </tbody>
              </table>
            </div>
          )}
          {q.data.journal.pageInfo.hasNextPage && <p class="intro">{t("showingFirst", { n: JOURNAL_FIRST })}</p>}
        </>
      )}
    </Section>
  );
}

function Downloads(props: { entity: string; asOf: string; from: string; to: string }) {
  const t = useT();
  const e = encodeURIComponent(props.entity);
  const period = `entity=${e}&from=${encodeURIComponent(props.from)}&to=${encodeURIComponent(props.to)}`;
  const links: [string, string, string][] = [
    ["balance-csv", `/csv/balance-sheet?entity=${e}&asOf=${encodeURIComponent(props.asOf)}&lang=zh`, t("dlBalanceCsv")],
    ["disclosure-csv", `/csv/disclosure?${period}&lang=zh`, t("dlDisclosureCsv")],
    ["disclosure-xlsx", `/xlsx/disclosure?${period}`, t("dlDisclosureXlsx")],
    ["journal-csv", `/csv/journal?${period}`, t("dlJournalCsv")],
    ["journal-xlsx", `/xlsx/journal?${period}`, t("dlJournalXlsx")],
  ];
  return (
    <Section title={t("downloads")} id="downloads">
      <ul class="downloads" data-testid="downloads">
        {links.map(([k, href, label]) => (
          <li key={k}>
            <a href={href} download data-download={k}>
              {label}
            </a>{" "}
            <span class="meta">
              ({k.includes("balance") ? `${t("asOf")} ${props.asOf}` : `${props.from} — ${props.to}`})
            </span>
          </li>
        ))}
      </ul>
    </Section>
  );
}

/** /entity: the entities that keep books, with their number of books. */
export function EntityIndex() {
  const t = useT();
  const q = useGql<any>(`{ books(first: 100) { nodes { entity } pageInfo { hasNextPage } } }`, {}, "entities");
  if (q.error) return <ErrorText error={q.error} />;
  if (!q.data) return <Loading />;
  const counts = new Map<string, number>();
  for (const b of q.data.books.nodes) counts.set(b.entity, (counts.get(b.entity) ?? 0) + 1);
  return (
    <div class="page">
      <h1>{t("entities")}</h1>
      <Section title={t("entities")} id="entities" intro={t("entitiesIntro")}>
        {counts.size === 0 ? (
          <p class="empty">{t("noEntities")}</p>
        ) : (
          <div class="table-wrap" tabIndex={0}>
            <table data-testid="entities">
              <thead>
                <tr>
                  <th scope="col">{t("entity")}</th>
                  <th scope="col" class="num">{t("booksCount")}</th>
                </tr>
              </thead>
              <tbody>
                {[...counts].map(([e, n]) => (
                  <tr key={e} data-entity-row={e}>
                    <td class="mono"><a href={`/entity/${e}`}>{e}</a></td>
                    <td class="num">{groupDigits(String(n))}{q.data.books.pageInfo.hasNextPage ? "+" : ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
    </div>
  );
}
