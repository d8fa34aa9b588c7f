// The exchange page's enforcement sales (质押物变卖): pledged holdings and certificates a pledgee lists on this venue
// after a default, as buyers and the exchange must see them: what is sold, for which pledge, the asking price and the
// costs paid first from it, whether an order is open, and the sales already settled with their price.
import { useGql } from "../api";
import { useT } from "../i18n";
import { collateralLabel } from "../components/encumbrance";
import { cstTime, money } from "../format";
import { AssetLink, ErrorText, Loading, Section } from "../components/ui";

const AMOUNT = `raw value token { symbol }`;
/** One status's pledges with their sales (one query per status keeps each within the API's query cost limit). */
const SALES = `query EnforcementSales($status: PledgeStatus!) {
  pledges(status: $status, first: 50) {
    nodes {
      id status collateral certificateId asset { id name registrationNumber }
      enforcement {
        listing { id venueId price { ${AMOUNT} } sold active listedAt }
        costs { ${AMOUNT} }
        settlement { order { id } settledAt gross { ${AMOUNT} } }
      }
    }
  }
}`;

/** The enforcement sales listed on venue `venueId`: open ones (the pledge in default) first, then those settled. */
export function EnforcementSales(props: { venueId: string }) {
  const t = useT();
  const defaulted = useGql<any>(SALES, { status: "DEFAULTED" }, "enforcement-sales:DEFAULTED");
  const enforced = useGql<any>(SALES, { status: "ENFORCED" }, "enforcement-sales:ENFORCED");
  const body = () => {
    const error = defaulted.error ?? enforced.error;
    if (error) return <ErrorText error={error} />;
    if (!defaulted.data || !enforced.data) return <Loading />;
    const onVenue = (p: any) => p.enforcement?.listing && String(p.enforcement.listing.venueId) === props.venueId;
    // A pledge discharged by another pledge's sale has no enforcement of its own; a withdrawn sale has no listing.
    const open = defaulted.data.pledges.nodes.filter((p: any) => onVenue(p) && p.enforcement.listing.active);
    const sold = enforced.data.pledges.nodes.filter((p: any) => onVenue(p) && p.enforcement.settlement);
    if (open.length + sold.length === 0) return <p class="empty" data-testid="no-enforcement-sales">{t("noEnforcementSales")}</p>;
    return (
      <div class="table-wrap" tabIndex={0}>
        <table data-testid="enforcement-sales">
          <thead>
            <tr>
              <th scope="col">{t("listingCol")}</th>
              <th scope="col">{t("pledgedAsset")}</th>
              <th scope="col">{t("collateral")}</th>
              <th scope="col">{t("pledge")}</th>
              <th scope="col">{t("price")}</th>
              <th scope="col">{t("enforcementCosts")}</th>
              <th scope="col">{t("statusCol")}</th>
            </tr>
          </thead>
          <tbody>
            {[...open, ...sold].map((p: any) => {
              const e = p.enforcement;
              return (
                <tr key={p.id} data-sale={e.listing.id} data-pledge={p.id}>
                  <td>#{e.listing.id}</td>
                  <td>
                    <AssetLink a={p.asset} />
                  </td>
                  <td>{collateralLabel(t, p)}</td>
                  <td>
                    <a href={`/asset/${p.asset.id}#pledges`}>#{p.id}</a>
                  </td>
                  <td class="num" data-field="price">{money(e.settlement ? e.settlement.gross : e.listing.price)}</td>
                  <td class="num">{money(e.costs)}</td>
                  <td data-field="state">
                    {e.settlement
                      ? t("saleSettled", { order: e.settlement.order.id, at: cstTime(e.settlement.settledAt) })
                      : e.listing.sold > 0
                        ? t("saleOrdered")
                        : t("saleListed", { at: cstTime(e.listing.listedAt) })}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    );
  };
  return (
    <Section title={t("enforcementSales")} id="enforcement-sales" intro={t("enforcementSalesIntro")}>
      {body()}
    </Section>
  );
}
