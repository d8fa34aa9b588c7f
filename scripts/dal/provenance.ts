// provenance: the full ordered history of an asset from the API (every event that concerns it, with the
// coordinates to check each on chain), as a table, CSV, or JSON.
import { Api } from "./api";
import { id } from "./parse";
import { csv, table } from "./report";
import type { Session } from "./session";

interface ProvenanceEvent {
  contract: string;
  name: string;
  category: string;
  args: string;
  chain: { txHash: string; blockNumber: number; blockHash: string; logIndex: number; time: string };
}

interface Page {
  provenance: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: ProvenanceEvent[] };
}

export async function provenance(session: Session, assetIdText: string, o: { csv?: boolean }): Promise<void> {
  const assetId = id("assetId", assetIdText).toString();
  const api = new Api(session.settings.apiUrl);
  const events: ProvenanceEvent[] = [];
  let after: string | null = null;
  // Pages of 100 (the API's maximum) until the history is complete.
  for (;;) {
    const page: Page = await api.query<Page>(
      `query ($id: ID!, $after: String) { provenance(assetId: $id, first: 100, after: $after) {
        totalCount pageInfo { hasNextPage endCursor }
        nodes { contract name category args chain { txHash blockNumber blockHash logIndex time } } } }`,
      { id: assetId, after },
    );
    events.push(...page.provenance.nodes);
    if (!page.provenance.pageInfo.hasNextPage) break;
    after = page.provenance.pageInfo.endCursor;
  }
  if (session.json) return session.print(JSON.stringify({ assetId, events }, null, 2) + "\n");
  if (o.csv) {
    return session.print(
      csv([
        ["asset_id", "seq", "time", "block_number", "log_index", "contract", "event", "category", "tx_hash", "block_hash", "args"],
        ...events.map((e, i) => [assetId, i + 1, e.chain.time, e.chain.blockNumber, e.chain.logIndex, e.contract, e.name, e.category, e.chain.txHash, e.chain.blockHash, e.args]),
      ]),
    );
  }
  session.print(
    `History of asset ${assetId}: ${events.length} events, oldest first (times UTC+8)\n\n` +
      table(
        ["#", "Time", "Block", "Log", "Contract", "Event", "Category", "Transaction"],
        events.map((e, i) => [String(i + 1), e.chain.time, String(e.chain.blockNumber), String(e.chain.logIndex), e.contract, e.name, e.category, e.chain.txHash]),
        [0, 2, 3],
      ),
  );
}
