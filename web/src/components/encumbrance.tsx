// An asset's encumbrance by live pledges (质押), as lenders and buyers must see it before they lend or buy: one badge
// per live pledge in rank order ("已质押 · 第1顺位 · 5,000,000.00 eCNY · 至 2027-06-30"), composed from the API's
// pledge fields in the page's language (the API's own summary, in English, is the badge group's title), and a short
// badge for listing rows. Text, not colour only: every badge says what it is.
import { useT } from "../i18n";
import { cstDate, money } from "../format";

export const ENCUMBRANCE = `encumbrance { flags names livePledges enforcing revenue summary }`;

export interface PledgeLike {
  id: string;
  status: string;
  live: boolean;
  rank: number | null;
  collateral: string;
  /** The pledged certificate (collateral Certificate); null otherwise. */
  certificateId?: string | null;
  securedAmount: { raw: string; value: string | null; token: { symbol: string | null; address: string } };
  termEnd: string;
}

const RESTRICT = {
  Transfer: "restrict_Transfer",
  Cancel: "restrict_Cancel",
  Licensing: "restrict_Licensing",
  Revenue: "restrict_Revenue",
  Enforcing: "restrict_Enforcing",
  Proceeds: "restrict_Proceeds",
} as const;

/** A restriction's name from the API (Transfer, Cancel, Licensing, Revenue, Enforcing) in the page's language. */
export function restrictLabel(t: ReturnType<typeof useT>, name: string): string {
  return name in RESTRICT ? t(RESTRICT[name as keyof typeof RESTRICT]) : name;
}

/** What a pledge is on, in the page's language: "收益权", or "使用权/经营权证书 #22" for a certificate pledge. */
export function collateralLabel(t: ReturnType<typeof useT>, p: { collateral: string; certificateId?: string | null }): string {
  return `${t.word(p.collateral)}${p.certificateId ? ` #${p.certificateId}` : ""}`;
}

/**
 * The live pledges of the holding and the revenue in rank order (`certificateId`: of that certificate instead): a
 * certificate's pledges rank apart and do not encumber the holding.
 */
export function livePledges<P extends PledgeLike>(pledges: P[], certificateId: string | null = null): P[] {
  return pledges
    .filter((p) => p.live && p.rank !== null && (p.certificateId ?? null) === certificateId)
    .sort((a, b) => (a.rank as number) - (b.rank as number));
}

/** One live pledge as a line: "已质押 · 第1顺位 · 5,000,000.00 eCNY · 至 2027-06-30". */
export function pledgeLine(t: ReturnType<typeof useT>, p: PledgeLike): string {
  const parts = [
    p.collateral === "Certificate"
      ? t("encCertificatePledged", { id: p.certificateId ?? "—" })
      : t(p.collateral === "Revenue" ? "encRevenuePledged" : "encPledged"),
    t("encRank", { n: p.rank ?? "—" }),
    money(p.securedAmount),
    t("encUntil", { d: cstDate(p.termEnd) }),
  ];
  if (p.status === "DEFAULTED") parts.push(t("encDefaulted"));
  return parts.join(" · ");
}

/** The asset page header's badges: one per live pledge, and one for an enforcement sale; nothing when unencumbered. */
export function EncumbranceBadges(props: { encumbrance: { livePledges: number; enforcing: boolean; summary: string | null; names: string[] }; pledges: PledgeLike[] }) {
  const t = useT();
  const e = props.encumbrance;
  const live = livePledges(props.pledges);
  if (e.livePledges === 0 && !e.enforcing) return null;
  return (
    <span class="encumbrance" data-testid="encumbrance" data-live-pledges={e.livePledges} data-flags={e.names.join(",")} title={e.summary ?? undefined}>
      <span class="visually-hidden">{t("encumbranceLabel")}: </span>
      {live.map((p) => (
        <span key={p.id} class="badge encumbered" data-pledge={p.id} data-rank={p.rank ?? ""}>
          {pledgeLine(t, p)}
        </span>
      ))}
      {e.enforcing && (
        <span class="badge encumbered enforcing" data-enforcing="yes">
          {t("encEnforcing")}
        </span>
      )}
    </span>
  );
}

/** A listing row's short badge: "已质押" (×n when several), or nothing. */
export function EncumbranceMark(props: { encumbrance?: { livePledges: number; enforcing: boolean } | null }) {
  const t = useT();
  const e = props.encumbrance;
  if (!e || (e.livePledges === 0 && !e.enforcing)) return null;
  return (
    <span class="badge encumbered small" data-encumbered={e.livePledges}>
      {e.enforcing ? t("encEnforcing") : t("encPledged")}
      {e.livePledges > 1 ? ` ×${e.livePledges}` : ""}
    </span>
  );
}
