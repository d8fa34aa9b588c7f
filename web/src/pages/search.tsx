// Search by registration number, asset id, content hash (any version) or address (holder or applicant); other text
// searches names. A query the API refuses (a bad checksum, say) shows its message.
import { useGql } from "../api";
import { useT } from "../i18n";
import { cstTime } from "../format";
import { Addr, AssetLink, ErrorText, Loading, Message, Section, StatusBadge, statusKey } from "../components/ui";
import { EncumbranceMark } from "../components/encumbrance";

const FIELDS = `totalCount nodes { id name registrationNumber status validNow validUntil kind holder applicant submittedAt registrar { code } encumbrance { livePledges enforcing } }`;

type Kind = "id" | "number" | "hash" | "address" | "name" | "bad";

export function classify(q: string): Kind {
  if (/^\d+$/.test(q)) return "id";
  if (/^0x[0-9a-fA-F]{64}$/.test(q)) return "hash";
  if (/^0x[0-9a-fA-F]{40}$/.test(q)) return "address";
  if (/^0x/i.test(q)) return "bad";
  if (/^[A-Za-z]+-\d{4}-\d+$/.test(q)) return "number";
  return "name";
}

function query(kind: Kind): string {
  const now = `_meta { latestBlockTime }`;
  switch (kind) {
    case "id":
      return `query ($q: ID!) { ${now} asset(id: $q) { id name registrationNumber status validNow validUntil kind holder applicant submittedAt registrar { code } encumbrance { livePledges enforcing } } }`;
    case "number":
      return `query ($q: String!) { ${now} byNumber: assets(where: { registrationNumber: $q }) { ${FIELDS} } }`;
    case "hash":
      return `query ($q: String!) { ${now} byHash: assets(where: { contentHash: $q }) { ${FIELDS} } }`;
    case "address":
      return `query ($q: String!) { ${now} asHolder: assets(where: { holder: $q }, first: 100) { ${FIELDS} } asApplicant: assets(where: { applicant: $q }, first: 100) { ${FIELDS} } }`;
    default:
      return `query ($q: String!) { ${now} byName: assets(where: { nameContains: $q }, first: 100) { ${FIELDS} } }`;
  }
}

const LABEL: Record<string, "asHolder" | "asApplicant" | "byNumber" | "byHash" | "byName"> = {
  asHolder: "asHolder",
  asApplicant: "asApplicant",
  byNumber: "byNumber",
  byHash: "byHash",
  byName: "byName",
};

export function SearchPage(props: { q: string }) {
  const t = useT();
  const q = props.q.trim();
  const kind = classify(q);
  const r = useGql<any>(query(kind), kind === "bad" || !q ? null : { q }, `search:${q}`);
  if (!q) return <Message title={t("search")}><p>{t("searchLabel")}</p></Message>;
  if (kind === "bad") return <Message title={t("results")} kind="error"><p>{t("badSearch")}</p></Message>;
  if (r.error) return <div class="page"><h1>{t("results")}: <span class="mono">{q}</span></h1><ErrorText error={r.error} /></div>;
  if (!r.data) return <Loading />;
  const now = r.data._meta.latestBlockTime;
  const groups: [string, any[]][] =
    kind === "id"
      ? [["byId", r.data.asset ? [r.data.asset] : []]]
      : Object.entries(r.data).filter(([k]) => k !== "_meta").map(([k, v]: [string, any]) => [k, v.nodes]);
  const none = groups.every(([, list]) => list.length === 0);
  return (
    <div class="page search-page">
      <h1>
        {t("results")}: <span class="mono">{q}</span>
      </h1>
      {none && (
        <p class="message info" role="status" data-testid="no-results">
          {kind === "id" ? t("noAsset", { id: q }) : t("noResults")}
        </p>
      )}
      {groups
        .filter(([, list]) => list.length > 0)
        .map(([k, list]) => (
          <Section key={k} title={LABEL[k] ? t(LABEL[k]) : t("results")}>
            <div class="table-wrap" tabIndex={0}>
              <table data-testid={`results-${k}`}>
                <thead>
                  <tr>
                    <th scope="col">{t("id")}</th>
                    <th scope="col">{t("regNo")}</th>
                    <th scope="col">{t("name")}</th>
                    <th scope="col">{t("registrar")}</th>
                    <th scope="col">{t("statusCol")}</th>
                    <th scope="col">{t("holder")}</th>
                    <th scope="col">{t("submittedAt")}</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((a) => (
                    <tr key={a.id} data-result={a.id}>
                      <td>{a.id}</td>
                      <td class="mono">{a.registrationNumber ?? t("pending")}</td>
                      <td class="name">
                        <AssetLink a={a} />
                      </td>
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
        ))}
    </div>
  );
}
