// Home: chain and index status, counts, the latest registrations, and the public notice board (公示) per registrar.
import { useGql } from "../api";
import { useT } from "../i18n";
import { cstTime, groupDigits } from "../format";
import { Addr, AssetLink, ErrorText, Loading, Section, StatusBadge, statusKey } from "../components/ui";
import { EncumbranceMark } from "../components/encumbrance";

const HOME = `query Home {
  _meta { chainId latestBlock latestBlockTime chainHead lag caughtUp }
  all: assets(first: 1) { totalCount }
  active: assets(where: { status: ACTIVE }, first: 1) { totalCount }
  rejected: assets(where: { status: REJECTED }, first: 1) { totalCount }
  cancelled: assets(where: { status: CANCELLED }, first: 1) { totalCount }
  notice: assets(where: { status: IN_NOTICE }, first: 100) {
    totalCount
    nodes { id name applicant submittedAt noticeEndsAt openObjections
      registrar { id code noticePeriodSeconds }
      objections { id objector filedAt open } }
  }
  latest: assets(first: 10, orderBy: ID_DESC) {
    nodes { id name registrationNumber status validNow validUntil kind holder applicant submittedAt registrar { code } encumbrance { livePledges enforcing } }
  }
}`;

/** "2天 3小时" / "2 d 3 h" from seconds. */
export function duration(seconds: number, lang: "zh" | "en"): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (lang === "zh") return d > 0 ? `${d}天 ${h}小时` : h > 0 ? `${h}小时 ${m}分` : `${m}分`;
  return d > 0 ? `${d} d ${h} h` : h > 0 ? `${h} h ${m} min` : `${m} min`;
}

export function HomePage() {
  const t = useT();
  const q = useGql<any>(HOME, {}, "home");
  if (q.error) return <ErrorText error={q.error} />;
  if (!q.data) return <Loading />;
  const { _meta: meta, notice, latest } = q.data;
  const now = meta.latestBlockTime;
  const byRegistrar = new Map<string, any[]>();
  for (const a of notice.nodes) byRegistrar.set(a.registrar.code, [...(byRegistrar.get(a.registrar.code) ?? []), a]);
  return (
    <div class="page home">
      <h1 class="visually-hidden">{t("appName")}</h1>
      <div class="grid2">
        <Section title={t("status")} id="status">
          <dl class="facts" data-testid="status">
            <dt>{t("chainId")}</dt>
            <dd data-field="chainId">{meta.chainId}</dd>
            <dt>{t("indexedBlock")}</dt>
            <dd data-field="latestBlock">{meta.latestBlock ?? "—"}</dd>
            <dt>{t("chainHead")}</dt>
            <dd data-field="chainHead">{meta.chainHead ?? "—"}</dd>
            <dt>{t("chainTime")}</dt>
            <dd data-field="chainTime">{cstTime(meta.latestBlockTime, true)}</dd>
            <dt>{t("lag")}</dt>
            <dd data-field="lag">{meta.lag ?? "—"}</dd>
            <dt>{t("ready")}</dt>
            <dd data-field="ready">
              <span class={`badge ${meta.caughtUp ? "s-active" : "s-in_notice"}`}>{meta.caughtUp ? t("yes") : t("no")}</span>
            </dd>
          </dl>
        </Section>
        <Section title={t("counts")} id="counts">
          <dl class="counts" data-testid="counts">
            {(
              [
                ["total", q.data.all.totalCount],
                ["ACTIVE", q.data.active.totalCount],
                ["IN_NOTICE", notice.totalCount],
                ["REJECTED", q.data.rejected.totalCount],
                ["CANCELLED", q.data.cancelled.totalCount],
              ] as const
            ).map(([k, n]) => (
              <div key={k}>
                <dt>{t.word(k) === k ? t("total") : t.word(k)}</dt>
                <dd data-count={k}>{groupDigits(String(n))}</dd>
              </div>
            ))}
          </dl>
        </Section>
      </div>

      <Section title={t("noticeBoard")} id="notices" intro={t("noticeIntro")}>
        {notice.nodes.length === 0 && <p class="empty">{t("noNotices")}</p>}
        {[...byRegistrar.entries()].map(([code, assets]) => (
          <div class="registrar-block" key={code} data-registrar={code}>
            <h3>
              {t("registrar")} {code} · {t("noticePeriod")} {assets[0].registrar.noticePeriodSeconds / 86400} {t("days")}
            </h3>
            <div class="table-wrap" tabIndex={0}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t("id")}</th>
                    <th scope="col">{t("name")}</th>
                    <th scope="col">{t("applicant")}</th>
                    <th scope="col">{t("submittedAt")}</th>
                    <th scope="col">{t("noticeEndsAt")}</th>
                    <th scope="col">{t("timeLeft")}</th>
                    <th scope="col">{t("openObjections")}</th>
                  </tr>
                </thead>
                <tbody>
                  {assets.map((a) => {
                    const left = (Date.parse(a.noticeEndsAt) - Date.parse(now)) / 1000;
                    const open = a.objections.filter((o: any) => o.open);
                    return (
                      <tr key={a.id} data-notice-asset={a.id}>
                        <td>{a.id}</td>
                        <td class="name">
                          <AssetLink a={a} />
                        </td>
                        <td>
                          <Addr a={a.applicant} />
                        </td>
                        <td>{cstTime(a.submittedAt)}</td>
                        <td>{cstTime(a.noticeEndsAt)}</td>
                        <td data-field="timeLeft">{left > 0 ? duration(left, t.lang) : <em>{t("noticeOver")}</em>}</td>
                        <td>
                          {open.length === 0
                            ? t("noObjections")
                            : open.map((o: any) => (
                                <div key={o.id} class="objection">
                                  #{o.id} <Addr a={o.objector} /> {cstTime(o.filedAt)}
                                </div>
                              ))}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </div>
        ))}
      </Section>

      <Section title={t("latest")} id="latest">
        <div class="table-wrap" tabIndex={0}>
          <table data-testid="latest">
            <thead>
              <tr>
                <th scope="col">{t("id")}</th>
                <th scope="col">{t("regNo")}</th>
                <th scope="col">{t("name")}</th>
                <th scope="col">{t("kind")}</th>
                <th scope="col">{t("registrar")}</th>
                <th scope="col">{t("statusCol")}</th>
                <th scope="col">{t("holder")}</th>
                <th scope="col">{t("submittedAt")}</th>
              </tr>
            </thead>
            <tbody>
              {latest.nodes.map((a: any) => (
                <tr key={a.id}>
                  <td>{a.id}</td>
                  <td class="mono">{a.registrationNumber ?? t("pending")}</td>
                  <td class="name">
                    <AssetLink a={a} />
                  </td>
                  <td>{t.word(a.kind)}</td>
                  <td>{a.registrar.code}</td>
                  <td>
                    <StatusBadge status={statusKey(a, now)} /> <EncumbranceMark encumbrance={a.encumbrance} />
                  </td>
                  <td>
                    <Addr a={a.holder ?? a.applicant} />
                  </td>
                  <td>{cstTime(a.submittedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>
    </div>
  );
}
