// The asset page for investors: the registration, versions as a timeline, the lineage picture, rights certificates,
// listings and settlements, attestations, full provenance with decoded arguments, and verification in the browser.
import { lazy, Suspense } from "preact/compat";
import { useState } from "preact/hooks";
import { gql, useGql } from "../api";
import { useT } from "../i18n";
import { bpsPercent, cstDate, cstTime, groupDigits, money } from "../format";
import { Addr, AssetLink, ErrorText, Hash, Loading, Message, Section, StatusBadge, statusKey } from "../components/ui";
import { Arguments, type Arg } from "../components/arguments";
import { MoneyFlow, QualityRadar, RightsAt, Valuation } from "./assetExtras";
import { Pledges } from "./assetPledges";
import { ENCUMBRANCE, EncumbranceBadges, livePledges, pledgeLine } from "../components/encumbrance";

const Lineage = lazy(() => import("../components/lineage").then((m) => ({ default: m.Lineage })));
const Verify = lazy(() => import("../components/verify").then((m) => ({ default: m.Verify })));

const NODE = `id name registrationNumber status`;
const parents = (depth: number): string => (depth === 0 ? "" : `parents { shareBps asset { ${NODE} ${parents(depth - 1)} } }`);

const ASSET = `query Asset($id: ID!) {
  _meta { latestBlockTime }
  asset(id: $id) {
    id name kind sourceType grade status validNow registrationNumber applicant holder pendingTransferTo
    submittedAt noticeEndsAt approvedAt validUntil endedAt endReason openObjections
    records sizeBytes updateFrequency contentHash metadataURI
    registrar { id code noticePeriodSeconds }
    versions { version contentHash addedBy addedAt current chain { txHash blockNumber logIndex } }
    ${parents(4)}
    children { shareBps asset { ${NODE} } }
    royalties { asset { id name } percent depth }
    objections { id objector filedAt open upheld resolvedAt }
    certificates { id kind holder grantor depth validFrom validUntil sublicensable transferable revokedAt valid parent { id }
      encumbrance { livePledges enforcing summary } }
    submission { txHash blockNumber logIndex }
    ${ENCUMBRANCE}
    pledges { id status live rank collateral certificateId termEnd securedAmount { raw value token { symbol address } } }
  }
}`;

const AMOUNT = `raw value token { symbol address }`;
const LISTINGS = `query Listings($id: ID!) {
  listings(where: { assetId: $id }, first: 50) { nodes { id seller venueId offer sellerCertificate { id } price { ${AMOUNT} } maxQuantity sold active } }
}`;
const SETTLEMENTS = `query Settlements($id: ID!) {
  settlements(where: { assetId: $id }, first: 40) {
    nodes { order { id } offer buyer seller settledAt gross { ${AMOUNT} } exchangeFee { ${AMOUNT} }
      merchantCommission { ${AMOUNT} } royaltyTotal { ${AMOUNT} } sellerNet { ${AMOUNT} } chain { txHash blockNumber } }
  }
}`;

const ARG = `name type value label`;
const PROVENANCE = `query Provenance($id: ID!, $after: String) {
  provenance(assetId: $id, first: 100, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { contract name category signedBy relayedBy chain { txHash blockNumber logIndex time }
      arguments { ${ARG} components { ${ARG} components { ${ARG} components { ${ARG} } } } } }
  }
}`;

export function AssetPage(props: { id: string }) {
  const t = useT();
  const valid = /^[1-9]\d{0,15}$/.test(props.id) && Number(props.id) <= Number.MAX_SAFE_INTEGER;
  const q = useGql<any>(ASSET, valid ? { id: props.id } : null, `asset:${props.id}`);
  if (!valid)
    return (
      <Message title={t("notFound")} kind="error">
        <p>{t("badId", { id: props.id })}</p>
        <p><a href="/">{t("backHome")}</a></p>
      </Message>
    );
  if (q.error) return <ErrorText error={q.error} />;
  if (!q.data) return <Loading />;
  const a = q.data.asset;
  if (!a)
    return (
      <Message title={t("notFound")} kind="error">
        <p>{t("noAsset", { id: props.id })}</p>
        <p><a href="/">{t("backHome")}</a></p>
      </Message>
    );
  const now = q.data._meta.latestBlockTime;
  const status = statusKey(a, now);
  return (
    <div class="page asset" data-asset={a.id}>
      <div class="asset-head">
        <p class="crumbs">
          <a href="/">{t("home")}</a> / {t("id")} {a.id}
        </p>
        <h1>{a.name}</h1>
        <p class="sub">
          <span class="mono regno" data-field="registrationNumber">{a.registrationNumber ?? t("pending")}</span>
          <StatusBadge status={status} />
          <EncumbranceBadges encumbrance={a.encumbrance} pledges={a.pledges} />
        </p>
      </div>
      <Registration a={a} status={status} />
      <Section title={t("verify")} id="verify" intro={t("verifyIntro")}>
        <Suspense fallback={<Loading />}>
          <Verify asset={a} status={status} pledgeLines={livePledges(a.pledges).map((p) => pledgeLine(t, p))} />
        </Suspense>
      </Section>
      <Versions a={a} />
      <Section title={t("lineage")} id="lineage" intro={t("lineageIntro")}>
        {a.parents.length === 0 && a.children.length === 0 ? (
          <p class="empty">{t("noLineage")}</p>
        ) : (
          <Suspense fallback={<Loading />}>
            <Lineage asset={a} />
          </Suspense>
        )}
        {a.royalties.length > 0 && (
          <div class="table-wrap" tabIndex={0}>
            <table data-testid="royalties">
              <caption>{t("royalties")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("name")}</th>
                  <th scope="col">{t("depth")}</th>
                  <th scope="col">{t("share")}</th>
                </tr>
              </thead>
              <tbody>
                {a.royalties.map((r: any) => (
                  <tr key={r.asset.id}>
                    <td class="name"><AssetLink a={r.asset} /></td>
                    <td>{r.depth}</td>
                    <td class="num">{r.percent}%</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
      <Pledges id={a.id} />
      <Certificates a={a} />
      <RightsAt id={a.id} today={cstDate(now)} />
      <Trades id={a.id} />
      <MoneyFlow id={a.id} />
      <Valuation id={a.id} today={cstDate(now)} />
      <Provenance id={a.id} />
    </div>
  );
}

function Registration(props: { a: any; status: string }) {
  const t = useT();
  const a = props.a;
  const rows: [string, any, string?][] = [
    [t("regNo"), <span class="mono">{a.registrationNumber ?? t("pending")}</span>, "registrationNumber"],
    [t("statusCol"), <StatusBadge status={props.status} />, "status"],
    [t("holder"), a.holder ? <Addr a={a.holder} /> : "—", "holder"],
    [t("applicant"), <Addr a={a.applicant} />, "applicant"],
    [t("registrar"), `${a.registrar.code} (#${a.registrar.id})`, "registrar"],
    [t("kind"), t.word(a.kind), "kind"],
    [t("grade"), t.word(a.grade), "grade"],
    [t("sourceType"), t.word(a.sourceType), "sourceType"],
    [t("submittedAt"), cstTime(a.submittedAt), "submittedAt"],
    [t("noticeEndsAt"), cstTime(a.noticeEndsAt), "noticeEndsAt"],
    [t("approvedAt"), cstTime(a.approvedAt), "approvedAt"],
    [t("validity"), a.approvedAt ? `${cstDate(a.approvedAt)} — ${cstDate(a.validUntil)}` : "—", "validity"],
    [t("records"), groupDigits(a.records), "records"],
    [t("sizeBytes"), groupDigits(a.sizeBytes), "sizeBytes"],
    [t("updateFrequency"), t.word(a.updateFrequency), "updateFrequency"],
    [t("contentHash"), <Hash h={a.contentHash} full />, "contentHash"],
    [t("openObjections"), String(a.openObjections), "openObjections"],
  ];
  if (a.endReason) rows.push([t("endReason"), `${a.endReason} (${cstTime(a.endedAt)})`, "endReason"]);
  return (
    <Section title={t("registration")} id="registration">
      <dl class="facts wide" data-testid="registration">
        {rows.map(([label, value, field]) => (
          <div key={field} class={field === "contentHash" ? "span2" : ""}>
            <dt>{label}</dt>
            <dd data-field={field}>{value}</dd>
          </div>
        ))}
      </dl>
      {a.objections.length > 0 && (
        <div class="table-wrap" tabIndex={0}>
          <table>
            <caption>{t("objections")}</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{t("objector")}</th>
                <th scope="col">{t("filedAt")}</th>
                <th scope="col">{t("statusCol")}</th>
              </tr>
            </thead>
            <tbody>
              {a.objections.map((o: any) => (
                <tr key={o.id}>
                  <td>{o.id}</td>
                  <td><Addr a={o.objector} /></td>
                  <td>{cstTime(o.filedAt)}</td>
                  <td>{o.open ? "open / 未处理" : o.upheld ? "upheld / 成立" : "dismissed / 驳回"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}

function Versions(props: { a: any }) {
  const t = useT();
  return (
    <Section title={t("versions")} id="versions">
      <ol class="timeline" data-testid="versions">
        {[...props.a.versions].reverse().map((v: any) => (
          <li key={v.version} class={v.current ? "current" : ""} data-version={v.version}>
            <div class="when">{cstTime(v.addedAt)}</div>
            <div class="what">
              <strong>
                {t("version")} {v.version}
              </strong>
              {v.current && <span class="badge s-active">{t("current")}</span>}
              <div>
                <Hash h={v.contentHash} full />
              </div>
              <div class="meta">
                {t("block")} {v.chain.blockNumber} · {t("txHash")} <Hash h={v.chain.txHash} /> · <Addr a={v.addedBy} />
              </div>
            </div>
          </li>
        ))}
      </ol>
    </Section>
  );
}

function Certificates(props: { a: any }) {
  const t = useT();
  const certs = props.a.certificates;
  return (
    <Section title={t("certificates")} id="certificates">
      {certs.length === 0 ? (
        <p class="empty">{t("noCertificates")}</p>
      ) : (
        <div class="table-wrap" tabIndex={0}>
          <table data-testid="certificates">
            <thead>
              <tr>
                <th scope="col">{t("certificate")}</th>
                <th scope="col">{t("kind")}</th>
                <th scope="col">{t("holder")}</th>
                <th scope="col">{t("grantor")}</th>
                <th scope="col">{t("parentCert")}</th>
                <th scope="col">{t("term")}</th>
                <th scope="col">{t("sublicensable")}</th>
                <th scope="col">{t("statusCol")}</th>
              </tr>
            </thead>
            <tbody>
              {certs.map((c: any) => (
                <tr key={c.id}>
                  <td>#{c.id}</td>
                  <td>{t.word(c.kind)}</td>
                  <td><Addr a={c.holder} /></td>
                  <td><Addr a={c.grantor} /></td>
                  <td>{c.parent ? `#${c.parent.id}` : "—"}</td>
                  <td>
                    {cstDate(c.validFrom)} — {cstDate(c.validUntil)}
                  </td>
                  <td>{c.sublicensable ? t("yes") : t("no")}</td>
                  <td>
                    <span class={`badge ${c.valid ? "s-active" : c.revokedAt ? "s-rejected" : "s-cancelled"}`}>
                      {c.revokedAt ? t("revoked") : c.valid ? t("valid") : t("invalid")}
                    </span>
                    <CertificateEncumbrance a={props.a} c={c} />
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

/**
 * A listing's offer: a holding transfer with a seller certificate sells that certificate (an enforcement sale of a
 * pledged certificate, or its holder's resale); a licence under a certificate is a sublicence of it.
 */
function offerLabel(t: ReturnType<typeof useT>, l: { offer: string; sellerCertificate: { id: string } | null }): string {
  if (!l.sellerCertificate) return t.word(l.offer);
  const id = l.sellerCertificate.id;
  return l.offer === "HoldingTransfer" ? t("certificateSale", { id }) : `${t.word(l.offer)} · ${t("underCertificate", { id })}`;
}

/** A pledged certificate's badges: one per live pledge of it in rank order, as the asset header shows the holding's. */
function CertificateEncumbrance(props: { a: any; c: any }) {
  const t = useT();
  const e = props.c.encumbrance;
  if (e.livePledges === 0 && !e.enforcing) return null;
  return (
    <span class="encumbrance" data-cert-encumbered={props.c.id} title={e.summary ?? undefined}>
      {livePledges(props.a.pledges, props.c.id).map((p) => (
        <span key={p.id} class="badge encumbered small" data-pledge={p.id}>
          {pledgeLine(t, p)}
        </span>
      ))}
      {e.enforcing && <span class="badge encumbered enforcing small">{t("encEnforcing")}</span>}
    </span>
  );
}

function Trades(props: { id: string }) {
  const t = useT();
  const l = useGql<any>(LISTINGS, { id: props.id }, `listings:${props.id}`);
  const q = useGql<any>(SETTLEMENTS, { id: props.id }, `settlements:${props.id}`);
  return (
    <>
      <Section title={t("listings")} id="listings">
        {l.error ? <ErrorText error={l.error} /> : !l.data ? <Loading /> : l.data.listings.nodes.length === 0 ? (
          <p class="empty">{t("noListings")}</p>
        ) : (
          <div class="table-wrap" tabIndex={0}>
            <table data-testid="listings">
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">{t("offer")}</th>
                  <th scope="col">{t("price")}</th>
                  <th scope="col">{t("sold")}</th>
                  <th scope="col">{t("seller")}</th>
                  <th scope="col">{t("venue")}</th>
                  <th scope="col">{t("activeCol")}</th>
                </tr>
              </thead>
              <tbody>
                {l.data.listings.nodes.map((l: any) => (
                  <tr key={l.id} data-listing={l.id}>
                    <td>{l.id}</td>
                    <td>{offerLabel(t, l)}</td>
                    <td class="num" data-field="price">{money(l.price)}</td>
                    <td class="num">
                      {l.sold}
                      {l.maxQuantity ? ` / ${l.maxQuantity}` : ""}
                    </td>
                    <td><Addr a={l.seller} /></td>
                    <td>{l.venueId}</td>
                    <td>{l.active ? t("yes") : t("no")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
      <Section title={t("settlements")} id="settlements">
        {q.error ? <ErrorText error={q.error} /> : !q.data ? <Loading /> : q.data.settlements.nodes.length === 0 ? (
          <p class="empty">{t("noSettlements")}</p>
        ) : (
          <div class="table-wrap" tabIndex={0}>
            <table data-testid="settlements">
              <thead>
                <tr>
                  <th scope="col">{t("order")}</th>
                  <th scope="col">{t("settledAt")}</th>
                  <th scope="col">{t("offer")}</th>
                  <th scope="col">{t("buyer")}</th>
                  <th scope="col">{t("gross")}</th>
                  <th scope="col">{t("fee")}</th>
                  <th scope="col">{t("commission")}</th>
                  <th scope="col">{t("royaltyTotal")}</th>
                  <th scope="col">{t("sellerNet")}</th>
                  <th scope="col">{t("block")}</th>
                </tr>
              </thead>
              <tbody>
                {q.data.settlements.nodes.map((s: any) => (
                  <tr key={s.order.id} data-order={s.order.id}>
                    <td>{s.order.id}</td>
                    <td>{cstTime(s.settledAt)}</td>
                    <td>{t.word(s.offer)}</td>
                    <td><Addr a={s.buyer} /></td>
                    <td class="num" data-field="gross">{money(s.gross)}</td>
                    <td class="num" data-field="exchangeFee">{money(s.exchangeFee)}</td>
                    <td class="num" data-field="merchantCommission">{money(s.merchantCommission)}</td>
                    <td class="num" data-field="royaltyTotal">{money(s.royaltyTotal)}</td>
                    <td class="num" data-field="sellerNet">{money(s.sellerNet)}</td>
                    <td>{s.chain.blockNumber}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
    </>
  );
}

interface ProvEvent {
  contract: string;
  name: string;
  category: string;
  signedBy: string | null;
  relayedBy: string | null;
  chain: { txHash: string; blockNumber: number; logIndex: number; time: string };
  arguments: Arg[];
}

function Provenance(props: { id: string }) {
  const t = useT();
  const first = useGql<any>(PROVENANCE, { id: props.id, after: null }, `prov:${props.id}`);
  const [more, setMore] = useState<{ key: string; events: ProvEvent[]; cursor: string | null; next: boolean; error?: string }>({
    key: "",
    events: [],
    cursor: null,
    next: false,
  });
  if (first.error) return <Section title={t("provenance")} id="provenance"><ErrorText error={first.error} /></Section>;
  if (!first.data) return <Section title={t("provenance")} id="provenance"><Loading /></Section>;
  const p = first.data.provenance;
  const extra = more.key === props.id ? more : { events: [], cursor: null, next: false, error: undefined };
  const events: ProvEvent[] = [...p.nodes, ...extra.events];
  const hasNext = extra.events.length ? extra.next : p.pageInfo.hasNextPage;
  const cursor = extra.events.length ? extra.cursor : p.pageInfo.endCursor;
  const attestations = events.filter((e) => e.category === "Attestation");
  const loadMore = () =>
    gql(PROVENANCE, { id: props.id, after: cursor }).then(
      (d: any) =>
        setMore({ key: props.id, events: [...extra.events, ...d.provenance.nodes], cursor: d.provenance.pageInfo.endCursor, next: d.provenance.pageInfo.hasNextPage }),
      (err: Error) => setMore({ ...extra, key: props.id, error: err.message }),
    );
  return (
    <>
      <Section title={t("attestations")} id="attestations">
        {attestations.length > 0 && <QualityRadar events={attestations} />}
        {attestations.length === 0 ? (
          <p class="empty">{t("noAttestations")}</p>
        ) : (
          <ul class="attestations" data-testid="attestations">
            {attestations.map((e) => (
              <li key={`${e.chain.blockNumber}:${e.chain.logIndex}`}>
                <strong>{e.name}</strong> · {cstTime(e.chain.time)} · {t("block")} {e.chain.blockNumber}
                <Arguments args={e.arguments.filter((x) => x.name !== "assetId")} />
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section title={`${t("provenance")} (${p.totalCount})`} id="provenance" intro={t("provenanceIntro")}>
        <div class="table-wrap" tabIndex={0}>
          <table class="provenance" data-testid="provenance">
            <thead>
              <tr>
                <th scope="col">{t("event")}</th>
                <th scope="col">{t("time")}</th>
                <th scope="col">{t("block")}</th>
                <th scope="col">{t("logIndex")}</th>
                <th scope="col">{t("txHash")}</th>
                <th scope="col">{t("arguments")}</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={`${e.chain.blockNumber}:${e.chain.logIndex}`} data-event={e.name} data-block={e.chain.blockNumber} data-log={e.chain.logIndex}>
                  <td>
                    <strong>{e.name}</strong>
                    <div class="meta">
                      {e.contract} · {e.category}
                    </div>
                    {e.signedBy && (
                      <div class="meta">
                        {t("signedBy")} <Addr a={e.signedBy} /> · {t("relayedBy")} <Addr a={e.relayedBy} />
                      </div>
                    )}
                  </td>
                  <td>{cstTime(e.chain.time, true)}</td>
                  <td class="num">{e.chain.blockNumber}</td>
                  <td class="num">{e.chain.logIndex}</td>
                  <td>
                    <Hash h={e.chain.txHash} />
                  </td>
                  <td>
                    <Arguments args={e.arguments} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {extra.error && <ErrorText error={extra.error} />}
        {hasNext && (
          <button type="button" onClick={loadMore}>
            {t("more")}
          </button>
        )}
      </Section>
    </>
  );
}
