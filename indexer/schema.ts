// The index's SQLite schema, as ordered migrations tracked by PRAGMA user_version. Append a migration; never
// edit one that has shipped.
//
// Conventions: ids and timestamps (unix seconds) are INTEGER; token amounts (uint256/uint128) are decimal TEXT,
// summed with BigInt by readers; addresses are EIP-55 checksummed; hashes are lowercase 0x hex. Booleans are 0/1.
import type { Database } from "better-sqlite3";
import { entriesOf, positionRow } from "./projections/ledger";

/** Primary-key columns of every table the undo log may restore rows into. */
export const PRIMARY_KEYS: Record<string, string[]> = {
  registrars: ["id"],
  assets: ["id"],
  asset_versions: ["asset_id", "version"],
  lineage: ["child_id", "parent_id"],
  royalties: ["asset_id", "position"],
  objections: ["id"],
  certificates: ["id"],
  venues: ["id"],
  tokens: ["address"],
  listings: ["id"],
  orders: ["id"],
  settlements: ["order_id"],
  settlement_lines: ["order_id", "position"],
  credits: ["account", "token"],
  attestations: ["id"],
  accountants: ["entity", "accountant"],
  books: ["id"],
  book_entries: ["book_id", "seq"],
  book_positions: ["book_id"],
  roles: ["contract", "role", "account"],
  pauses: ["contract"],
  pledges: ["id"],
  pledge_proceeds: ["block_number", "log_index"],
  proceeds_routes: ["block_number", "log_index"],
  public_institutions: ["account"],
};

/** A migration: SQL, or a function for what SQL cannot compute (it runs in the migration's transaction). */
type Migration = string | ((db: Database) => void);

const MIGRATIONS: Migration[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  -- Last indexed block; written in the same transaction as that block range's rows.
  CREATE TABLE checkpoint (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    block_number INTEGER NOT NULL, block_hash TEXT NOT NULL, block_time INTEGER NOT NULL,
    chain_head INTEGER NOT NULL
  );
  -- Hashes of the unfinalised blocks (the reorg window), to find the common ancestor after a reorg.
  CREATE TABLE blocks (number INTEGER PRIMARY KEY, hash TEXT NOT NULL, parent_hash TEXT NOT NULL, timestamp INTEGER NOT NULL);
  -- Before-images of projection rows written in the reorg window; replayed backwards to undo a block.
  CREATE TABLE undo_log (
    block_number INTEGER NOT NULL, log_index INTEGER NOT NULL, n INTEGER NOT NULL,
    tbl TEXT NOT NULL, pk TEXT NOT NULL, before TEXT,
    PRIMARY KEY (block_number, log_index, n)
  ) WITHOUT ROWID;

  -- Every event of every contract, as emitted.
  CREATE TABLE events (
    block_number INTEGER NOT NULL, block_hash TEXT NOT NULL, block_time INTEGER NOT NULL,
    log_index INTEGER NOT NULL, tx_hash TEXT NOT NULL, tx_index INTEGER NOT NULL,
    contract TEXT NOT NULL, address TEXT NOT NULL, name TEXT NOT NULL,
    asset_id INTEGER, args TEXT NOT NULL,
    UNIQUE (block_hash, log_index)
  );
  CREATE INDEX events_by_block ON events (block_number, log_index);
  CREATE INDEX events_by_asset ON events (asset_id, block_number, log_index) WHERE asset_id IS NOT NULL;

  CREATE TABLE registrars (id INTEGER PRIMARY KEY, code TEXT NOT NULL, notice_period INTEGER NOT NULL, active INTEGER NOT NULL);

  CREATE TABLE assets (
    id INTEGER PRIMARY KEY,
    applicant TEXT NOT NULL, registrar_id INTEGER NOT NULL,
    status TEXT NOT NULL,            -- InNotice | Rejected | Active | Cancelled (expiry is computed from valid_until)
    name TEXT NOT NULL, kind TEXT NOT NULL, source_type TEXT NOT NULL, grade TEXT NOT NULL,
    metadata_uri TEXT NOT NULL, metadata_hash TEXT NOT NULL, source_evidence_hash TEXT NOT NULL,
    records TEXT NOT NULL, size_bytes TEXT NOT NULL, update_frequency TEXT NOT NULL,
    validity_period INTEGER NOT NULL,
    content_hash TEXT NOT NULL, version_count INTEGER NOT NULL,
    submitted_at INTEGER NOT NULL, notice_ends_at INTEGER NOT NULL,
    open_objections INTEGER NOT NULL DEFAULT 0,
    registration_number TEXT, holder TEXT, approver TEXT, approved_at INTEGER, valid_until INTEGER,
    ended_at INTEGER, end_reason TEXT,
    pending_transfer_to TEXT,
    submitted_block INTEGER NOT NULL, submitted_tx TEXT NOT NULL
  );
  CREATE INDEX assets_by_holder ON assets (holder);
  CREATE INDEX assets_by_applicant ON assets (applicant);
  CREATE INDEX assets_by_registrar ON assets (registrar_id, status);
  CREATE UNIQUE INDEX assets_by_number ON assets (registration_number) WHERE registration_number IS NOT NULL;

  CREATE TABLE asset_versions (
    asset_id INTEGER NOT NULL, version INTEGER NOT NULL,
    content_hash TEXT NOT NULL, metadata_hash TEXT NOT NULL, previous_content_hash TEXT,
    added_by TEXT NOT NULL, added_at INTEGER NOT NULL,
    block_number INTEGER NOT NULL, tx_hash TEXT NOT NULL, log_index INTEGER NOT NULL,
    PRIMARY KEY (asset_id, version)
  );
  CREATE INDEX versions_by_content ON asset_versions (content_hash);

  -- Direct parents as submitted; royalties is the flattened upstream table fixed at submission.
  CREATE TABLE lineage (child_id INTEGER NOT NULL, parent_id INTEGER NOT NULL, share_bps INTEGER NOT NULL, position INTEGER NOT NULL,
    PRIMARY KEY (child_id, parent_id));
  CREATE INDEX lineage_by_parent ON lineage (parent_id);
  CREATE TABLE royalties (asset_id INTEGER NOT NULL, position INTEGER NOT NULL, payee_asset_id INTEGER NOT NULL,
    share TEXT NOT NULL, depth INTEGER NOT NULL, PRIMARY KEY (asset_id, position));

  CREATE TABLE objections (
    id INTEGER PRIMARY KEY, asset_id INTEGER NOT NULL, objector TEXT NOT NULL, evidence_hash TEXT NOT NULL,
    filed_at INTEGER NOT NULL, open INTEGER NOT NULL, upheld INTEGER,
    resolver TEXT, resolution_hash TEXT, resolved_at INTEGER
  );
  CREATE INDEX objections_by_asset ON objections (asset_id);

  CREATE TABLE certificates (
    id INTEGER PRIMARY KEY, asset_id INTEGER NOT NULL, kind TEXT NOT NULL,
    holder TEXT NOT NULL, grantor TEXT NOT NULL, issued_by TEXT NOT NULL,
    parent_id INTEGER, depth INTEGER NOT NULL,
    scope_hash TEXT NOT NULL, scope_mask INTEGER NOT NULL,
    valid_from INTEGER NOT NULL, valid_until INTEGER NOT NULL,
    sublicensable INTEGER NOT NULL, transferable INTEGER NOT NULL,
    granted_at INTEGER NOT NULL, revoked_at INTEGER, revoked_by TEXT, revoke_reason TEXT
  );
  CREATE INDEX certificates_by_asset ON certificates (asset_id, holder);
  CREATE INDEX certificates_by_holder ON certificates (holder);
  CREATE INDEX certificates_by_parent ON certificates (parent_id);

  CREATE TABLE venues (id INTEGER PRIMARY KEY, treasury TEXT NOT NULL, fee_bps INTEGER NOT NULL);
  -- decimals/symbol read once from the token when first seen (NULL when it does not answer ERC-20 metadata).
  CREATE TABLE tokens (address TEXT PRIMARY KEY, allowed INTEGER NOT NULL, decimals INTEGER, symbol TEXT);

  CREATE TABLE listings (
    id INTEGER PRIMARY KEY, asset_id INTEGER NOT NULL, seller TEXT NOT NULL, seller_cert_id INTEGER,
    venue_id INTEGER NOT NULL, offer TEXT NOT NULL, token TEXT NOT NULL, price TEXT NOT NULL,
    max_quantity INTEGER NOT NULL, sold INTEGER NOT NULL DEFAULT 0, active INTEGER NOT NULL,
    licence_term INTEGER NOT NULL, scope_hash TEXT NOT NULL, scope_mask INTEGER NOT NULL,
    licence_sublicensable INTEGER NOT NULL, licence_transferable INTEGER NOT NULL,
    merchant TEXT NOT NULL, merchant_bps INTEGER NOT NULL,
    delivery_window INTEGER NOT NULL, acceptance_window INTEGER NOT NULL,
    listed_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
  );
  CREATE INDEX listings_by_asset ON listings (asset_id);
  CREATE INDEX listings_by_seller ON listings (seller);

  CREATE TABLE orders (
    id INTEGER PRIMARY KEY, listing_id INTEGER NOT NULL, asset_id INTEGER NOT NULL,
    buyer TEXT NOT NULL, seller TEXT NOT NULL, token TEXT NOT NULL, price TEXT NOT NULL, fee_bps INTEGER NOT NULL,
    status TEXT NOT NULL,            -- Paid | Delivered | Disputed | Settled | Refunded | Remedied
    ordered_at INTEGER NOT NULL, delivery_deadline INTEGER NOT NULL,
    delivery_hash TEXT, delivered_at INTEGER, acceptance_ends_at INTEGER,
    dispute_evidence_hash TEXT, disputed_at INTEGER,
    arbiter TEXT, resolution_hash TEXT, resolved_at INTEGER,
    refunded TEXT NOT NULL DEFAULT '0', refund_reason TEXT, refunded_at INTEGER,
    settled_at INTEGER
  );
  CREATE INDEX orders_by_listing ON orders (listing_id);
  CREATE INDEX orders_by_asset ON orders (asset_id);
  CREATE INDEX orders_by_buyer ON orders (buyer);
  CREATE INDEX orders_by_seller ON orders (seller);

  CREATE TABLE settlements (
    order_id INTEGER PRIMARY KEY, listing_id INTEGER NOT NULL, asset_id INTEGER NOT NULL, offer TEXT NOT NULL,
    buyer TEXT NOT NULL, seller TEXT NOT NULL, token TEXT NOT NULL, gross TEXT NOT NULL,
    venue_id INTEGER NOT NULL, venue_treasury TEXT NOT NULL, exchange_fee TEXT NOT NULL,
    merchant TEXT NOT NULL, merchant_commission TEXT NOT NULL, royalty_total TEXT NOT NULL, seller_net TEXT NOT NULL,
    cert_id INTEGER NOT NULL, settled_at INTEGER NOT NULL, block_number INTEGER NOT NULL, tx_hash TEXT NOT NULL
  );
  CREATE INDEX settlements_by_asset ON settlements (asset_id, settled_at);
  CREATE INDEX settlements_by_time ON settlements (settled_at);
  -- Where each settlement's gross went: fee, commission, one line per royalty payee, seller net.
  CREATE TABLE settlement_lines (
    order_id INTEGER NOT NULL, position INTEGER NOT NULL,
    kind TEXT NOT NULL,              -- ExchangeFee | MerchantCommission | Royalty | SellerNet
    payee TEXT NOT NULL, source_asset_id INTEGER, amount TEXT NOT NULL,
    PRIMARY KEY (order_id, position)
  );
  CREATE INDEX settlement_lines_by_payee ON settlement_lines (payee);

  -- Pull-payment balances held by the exchange, per account and token.
  CREATE TABLE credits (account TEXT NOT NULL, token TEXT NOT NULL, credited TEXT NOT NULL, withdrawn TEXT NOT NULL,
    balance TEXT NOT NULL, PRIMARY KEY (account, token));

  CREATE TABLE attestations (
    id INTEGER PRIMARY KEY, asset_id INTEGER NOT NULL, kind TEXT NOT NULL, author TEXT NOT NULL,
    report_hash TEXT NOT NULL, supersedes INTEGER, superseded_by INTEGER,
    passed INTEGER,                                         -- compliance
    accuracy INTEGER, consistency INTEGER, completeness INTEGER,
    conformity INTEGER, timeliness INTEGER, accessibility INTEGER, -- quality, 0-100 each
    method TEXT, value TEXT, currency TEXT, valuation_date INTEGER, -- appraisal
    attested_at INTEGER NOT NULL, revoked_at INTEGER, revoke_reason TEXT
  );
  CREATE INDEX attestations_by_asset ON attestations (asset_id, kind);

  CREATE TABLE accountants (entity TEXT NOT NULL, accountant TEXT NOT NULL, authorised INTEGER NOT NULL, set_at INTEGER NOT NULL,
    PRIMARY KEY (entity, accountant));

  -- One accounting book per (entity, asset) recognition; current state. book_entries is the dated history.
  CREATE TABLE books (
    id INTEGER PRIMARY KEY, entity TEXT NOT NULL, asset_id INTEGER NOT NULL,
    category TEXT NOT NULL,          -- Intangible | Inventory | Development (current)
    initial_category TEXT NOT NULL, source TEXT NOT NULL,
    useful_life_months INTEGER NOT NULL, residual_value TEXT NOT NULL, currency TEXT NOT NULL,
    recognised_on INTEGER NOT NULL, ready_on INTEGER, derecognised_on INTEGER, derecognition_reason TEXT, proceeds TEXT,
    cost TEXT NOT NULL, impairment TEXT NOT NULL, entry_count INTEGER NOT NULL
  );
  CREATE INDEX books_by_entity ON books (entity);
  CREATE INDEX books_by_asset ON books (asset_id);
  CREATE TABLE book_entries (
    book_id INTEGER NOT NULL, seq INTEGER NOT NULL,
    kind TEXT NOT NULL,              -- Opened | Cost | ReadyForUse | Impairment | WriteDownReversal | Derecognised
    date INTEGER NOT NULL, amount TEXT,
    source TEXT, phase TEXT, order_id INTEGER, useful_life_months INTEGER, reason TEXT, proceeds TEXT,
    evidence_hash TEXT NOT NULL, recorded_by TEXT NOT NULL,
    block_number INTEGER NOT NULL, tx_hash TEXT NOT NULL, log_index INTEGER NOT NULL,
    PRIMARY KEY (book_id, seq)
  );

  -- AccessControl roles currently held, and paused contracts.
  CREATE TABLE roles (contract TEXT NOT NULL, role TEXT NOT NULL, account TEXT NOT NULL, PRIMARY KEY (contract, role, account));
  CREATE TABLE pauses (contract TEXT PRIMARY KEY, paused INTEGER NOT NULL);
  `,
  `
  -- A valuation's market approach reads the latest settlements of one right (offer); by time alone it walked every
  -- settlement of the other rights too.
  CREATE INDEX settlements_by_offer ON settlements (offer, settled_at);
  `,
  `
  -- An intangible book may be recognised before it is ready for use (AssetLedger.recogniseAwaitingUse, CAS 6): it is
  -- amortised from its ReadyForUse entry, not from recognition. 1 for a book opened that way (also once ready).
  ALTER TABLE books ADD COLUMN awaiting_use INTEGER NOT NULL DEFAULT 0;
  `,
  `
  -- A rights certificate's mint Transfer (which precedes its RightGranted) was kept without its asset, so the asset's
  -- provenance left it out; the indexer now tags it when RightGranted comes. Tag those already indexed.
  UPDATE events SET asset_id = (
    SELECT c.asset_id FROM certificates c WHERE c.id = CAST(json_extract(events.args, '$.tokenId') AS INTEGER)
  )
  WHERE contract = 'RightsCertificate' AND name = 'Transfer' AND asset_id IS NULL
    AND json_extract(args, '$.from') = '0x0000000000000000000000000000000000000000';
  `,
  `
  -- Relayed actions (ERC-2771 through the RelayForwarder). An event a relayed request caused names, besides the
  -- actor in its own arguments, the request's signer (whom the contracts took as the actor) and the relayer (the
  -- transaction's sender, who paid the gas); both NULL for a direct transaction. The forwarder's own
  -- ExecutedForwardRequest rows carry them too. Indexes built before this migration never read the forwarder's logs:
  -- the indexer refuses them (their deployment identity lacks the forwarder) and asks for a re-index.
  ALTER TABLE events ADD COLUMN signer TEXT;
  ALTER TABLE events ADD COLUMN relayer TEXT;
  CREATE INDEX events_by_signer ON events (signer, block_number, log_index) WHERE signer IS NOT NULL;
  CREATE INDEX events_by_relayer ON events (relayer, block_number, log_index) WHERE relayer IS NOT NULL;
  -- One row per request the forwarder executed (its ExecutedForwardRequest log), failed ones (success = 0: the
  -- target call reverted, nothing else happened) included; events: how many contract events the request caused.
  -- Requests the forwarder skipped in a batch (bad signature, expired, untrusted target) emit nothing and have no row.
  CREATE TABLE relayed_requests (
    block_number INTEGER NOT NULL, block_hash TEXT NOT NULL, block_time INTEGER NOT NULL,
    tx_hash TEXT NOT NULL, tx_index INTEGER NOT NULL, log_index INTEGER NOT NULL,
    signer TEXT NOT NULL, nonce TEXT NOT NULL, success INTEGER NOT NULL, relayer TEXT NOT NULL, events INTEGER NOT NULL,
    PRIMARY KEY (block_number, log_index)
  );
  CREATE INDEX relayed_by_signer ON relayed_requests (signer, block_number, log_index);
  CREATE INDEX relayed_by_relayer ON relayed_requests (relayer, block_number, log_index);
  CREATE INDEX relayed_by_tx ON relayed_requests (tx_hash);
  `,
  `
  -- Each accounting book's position after its last entry, kept by the ledger projection as entries arrive (and undone
  -- on reorgs like every projection row): capitalised cost and cost by the entries' source, research spending
  -- expensed, impairment (inventory: write-down net of reversals) with the impairments recorded and the reversals,
  -- category, ready date and month, useful life, residual value, derecognition, the date of the last entry, and the
  -- amortisation schedule (segments and capped months, JSON with decimal strings) under the accounting rules of
  -- version \`rules\` (api/accounting.ts POSITION_RULES; 0: the book could not be computed). Figures as of a date on or
  -- after last_entry_date are closed-form from this row; earlier dates replay book_entries.
  CREATE TABLE book_positions (
    book_id INTEGER PRIMARY KEY, entity TEXT NOT NULL, asset_id INTEGER NOT NULL, currency TEXT NOT NULL,
    source TEXT NOT NULL, category TEXT NOT NULL, recognised_on INTEGER NOT NULL,
    cost TEXT NOT NULL, cost_purchased TEXT NOT NULL, cost_self_developed TEXT NOT NULL, cost_other TEXT NOT NULL,
    research_expensed TEXT NOT NULL,
    impairment TEXT NOT NULL, impaired TEXT NOT NULL, reversed TEXT NOT NULL,
    ready_on INTEGER, ready_month TEXT, useful_life_months INTEGER NOT NULL, residual_value TEXT NOT NULL,
    derecognised_on INTEGER, derecognition_reason TEXT, proceeds TEXT,
    last_entry_date INTEGER NOT NULL, entry_count INTEGER NOT NULL,
    schedule TEXT, rules INTEGER NOT NULL
  );
  CREATE INDEX book_positions_by_entity ON book_positions (entity, last_entry_date);
  `,
  // The positions of the books already indexed, from their entries. Inside the reorg window, each entry's undo images
  // get the position as it was before that entry, so a reorg after this migration undoes positions too.
  (db) => {
    const books = db.prepare("SELECT * FROM books ORDER BY id").all() as Parameters<typeof positionRow>[0][];
    const windowStart = (db.prepare("SELECT MIN(number) AS n FROM blocks").get() as { n: number | null }).n;
    const put = db.prepare(
      "INSERT INTO book_positions (book_id, entity, asset_id, currency, source, category, recognised_on, cost, cost_purchased, " +
        "cost_self_developed, cost_other, research_expensed, impairment, impaired, reversed, ready_on, ready_month, useful_life_months, " +
        "residual_value, derecognised_on, derecognition_reason, proceeds, last_entry_date, entry_count, schedule, rules) " +
        "VALUES (@book_id, @entity, @asset_id, @currency, @source, @category, @recognised_on, @cost, @cost_purchased, " +
        "@cost_self_developed, @cost_other, @research_expensed, @impairment, @impaired, @reversed, @ready_on, @ready_month, " +
        "@useful_life_months, @residual_value, @derecognised_on, @derecognition_reason, @proceeds, @last_entry_date, @entry_count, " +
        "@schedule, @rules)",
    );
    const where = db.prepare("SELECT block_number, log_index FROM book_entries WHERE book_id = ? AND seq = ?");
    const nextN = db.prepare("SELECT COALESCE(MAX(n) + 1, 0) AS n FROM undo_log WHERE block_number = ? AND log_index = ?");
    const undo = db.prepare("INSERT INTO undo_log (block_number, log_index, n, tbl, pk, before) VALUES (?, ?, ?, 'book_positions', ?, ?)");
    for (const book of books) {
      const entries = entriesOf(db, book.id);
      if (windowStart !== null) {
        for (let k = 0; k < entries.length; k++) {
          const at = where.get(book.id, entries[k].seq) as { block_number: number; log_index: number };
          if (at.block_number < windowStart) continue;
          const before = k === 0 ? null : JSON.stringify(positionRow(book, entries.slice(0, k)));
          const n = (nextN.get(at.block_number, at.log_index) as { n: number }).n;
          undo.run(at.block_number, at.log_index, n, JSON.stringify({ book_id: book.id }), before);
        }
      }
      put.run(positionRow(book, entries));
    }
  },
  `
  -- Pledges (质押) of data assets (PledgeRegistry). One row per pledge as filed, with its current state; the terms
  -- are PledgeTerms as filed, secured_amount / term_end / licensing_allowed as last changed (PledgeChanged).
  -- external_registry is the bytes32 as emitted (short text, right-padded with zeros). status: Filed | Live |
  -- Defaulted | Released | Enforced | Voided | Withdrawn. consents: bits (1 << Consent) Transfer, Cancellation,
  -- Licensing. received: paid to the pledgee through this record (ProceedsApplied). listing_id: the enforcement sale's
  -- listing while listed (and after the sale), NULL otherwise; enforcement_costs likewise ('0' when none). The last
  -- objection (objected: one is open) and the default and sale authorisation with who and on what ruling. Ranks are
  -- computed by readers from the live pledges (Live, Defaulted) of the asset: external_registered_at, then id.
  CREATE TABLE pledges (
    id INTEGER PRIMARY KEY, asset_id INTEGER NOT NULL, pledgor TEXT NOT NULL, registrar_id INTEGER NOT NULL,
    collateral TEXT NOT NULL, debtor TEXT NOT NULL, pledgee TEXT NOT NULL, token TEXT NOT NULL,
    secured_amount TEXT NOT NULL, scope INTEGER NOT NULL, maximum_amount INTEGER NOT NULL, term_end INTEGER NOT NULL,
    main_contract_hash TEXT NOT NULL, licensing_allowed INTEGER NOT NULL, self_sale_allowed INTEGER NOT NULL,
    external_registry TEXT NOT NULL, external_number TEXT NOT NULL, external_registered_at INTEGER NOT NULL,
    status TEXT NOT NULL, consents INTEGER NOT NULL DEFAULT 0,
    objected INTEGER NOT NULL DEFAULT 0, objector TEXT, objection_evidence_hash TEXT, objected_at INTEGER,
    objection_upheld INTEGER, objection_resolution_hash TEXT, objection_resolved_by TEXT, objection_resolved_at INTEGER,
    sale_authorised INTEGER NOT NULL DEFAULT 0, sale_authorised_by TEXT, sale_authorised_by_arbiter INTEGER,
    sale_ruling_hash TEXT, sale_authorised_at INTEGER,
    filed_at INTEGER NOT NULL, accepted_at INTEGER, defaulted_at INTEGER, defaulted_by TEXT, default_by_arbiter INTEGER,
    default_ruling_hash TEXT, ended_at INTEGER, ended_by TEXT,
    received TEXT NOT NULL DEFAULT '0', listing_id INTEGER, enforcement_costs TEXT NOT NULL DEFAULT '0',
    enforcement_costs_evidence_hash TEXT, enforced_order_id INTEGER,
    filed_block INTEGER NOT NULL, filed_tx TEXT NOT NULL, filed_log_index INTEGER NOT NULL
  );
  CREATE INDEX pledges_by_asset ON pledges (asset_id, status);
  CREATE INDEX pledges_by_pledgor ON pledges (pledgor);
  CREATE INDEX pledges_by_pledgee ON pledges (pledgee);
  -- What the asset's live pledges restrict now (EncumbranceChanged): ENC_* bits Transfer 1, Cancel 2, Licensing 4,
  -- Revenue 8, Enforcing 16; the registry's Asset.encumbrance.
  ALTER TABLE assets ADD COLUMN encumbrance INTEGER NOT NULL DEFAULT 0;
  -- Pledged revenue and enforcement proceeds the exchange paid through the pledge registry at settlement: one
  -- ProceedsRouted per split (the seller's net when as_seller, else a royalty the asset earned as a parent), with the
  -- enforcement costs and the holder's rest; one ProceedsApplied per pledgee paid. The exchange credits these parts,
  -- not the Settled line (the seller's net, or the royalty line whose payee is the pledge registry).
  CREATE TABLE proceeds_routes (
    block_number INTEGER NOT NULL, log_index INTEGER NOT NULL, tx_hash TEXT NOT NULL,
    asset_id INTEGER NOT NULL, order_id INTEGER NOT NULL, token TEXT NOT NULL, amount TEXT NOT NULL,
    as_seller INTEGER NOT NULL, enforcement INTEGER NOT NULL, costs_to TEXT NOT NULL, costs TEXT NOT NULL,
    holder TEXT NOT NULL, to_holder TEXT NOT NULL,
    PRIMARY KEY (block_number, log_index)
  );
  CREATE INDEX proceeds_routes_by_order ON proceeds_routes (order_id, asset_id, as_seller);
  CREATE TABLE pledge_proceeds (
    block_number INTEGER NOT NULL, log_index INTEGER NOT NULL, tx_hash TEXT NOT NULL,
    pledge_id INTEGER NOT NULL, asset_id INTEGER NOT NULL, order_id INTEGER NOT NULL, pledgee TEXT NOT NULL,
    amount TEXT NOT NULL,
    PRIMARY KEY (block_number, log_index)
  );
  CREATE INDEX pledge_proceeds_by_pledge ON pledge_proceeds (pledge_id);
  -- Accounts recorded as public institutions (行政事业单位), which may not pledge.
  CREATE TABLE public_institutions (account TEXT PRIMARY KEY, public INTEGER NOT NULL, set_by TEXT NOT NULL);
  `,
  `
  -- The log index of each settlement's Settled event (its evidence in a journal voucher), kept on the row: looking it
  -- up among the events per settlement was most of the time of an entity's journal. Filled for rows indexed before.
  ALTER TABLE settlements ADD COLUMN log_index INTEGER;
  UPDATE settlements SET log_index = (
    SELECT e.log_index FROM events e WHERE e.asset_id = settlements.asset_id AND e.block_number = settlements.block_number
      AND e.tx_hash = settlements.tx_hash AND e.name = 'Settled' AND json_extract(e.args, '$.orderId') = CAST(settlements.order_id AS TEXT)
  );
  `,
  `
  -- Certificate pledges: collateral Certificate pledges a transferable rights certificate of the asset (cert_id; NULL
  -- for Holding and Revenue), filed by the certificate's holder. A certificate's pledges rank, restrict and are
  -- enforced apart from the asset's: readers rank the live pledges of an asset's holding and revenue together (cert_id
  -- NULL), and each certificate's apart. reserve_price: the lowest price a self-sale may ask ('0': none). Rows indexed before are
  -- holding and revenue pledges filed without a reserve price.
  ALTER TABLE pledges ADD COLUMN cert_id INTEGER;
  ALTER TABLE pledges ADD COLUMN reserve_price TEXT NOT NULL DEFAULT '0';
  CREATE INDEX pledges_by_certificate ON pledges (cert_id, status) WHERE cert_id IS NOT NULL;
  -- What the certificate's live pledges restrict now (CertificateEncumbranceChanged): ENC_* bits Transfer 1,
  -- Licensing 4, Enforcing 16; the rights contract's encumbranceOf.
  ALTER TABLE certificates ADD COLUMN encumbrance INTEGER NOT NULL DEFAULT 0;
  `,
  `
  -- Events are unique by their place in the chain: the index holds one chain, so a block number has one hash. Schema
  -- 1 also declared them unique by (block_hash, log_index): a second key, on random hashes, that no query reads, whose
  -- inserts landed all over its B-tree and whose pages every range's commit wrote again (about a twentieth of the
  -- backfill's CPU). The table is rebuilt without it (a constraint cannot be dropped) and events_by_block becomes the
  -- unique key.
  CREATE TABLE events_rebuilt (
    block_number INTEGER NOT NULL, block_hash TEXT NOT NULL, block_time INTEGER NOT NULL,
    log_index INTEGER NOT NULL, tx_hash TEXT NOT NULL, tx_index INTEGER NOT NULL,
    contract TEXT NOT NULL, address TEXT NOT NULL, name TEXT NOT NULL,
    asset_id INTEGER, args TEXT NOT NULL, signer TEXT, relayer TEXT
  );
  INSERT INTO events_rebuilt (block_number, block_hash, block_time, log_index, tx_hash, tx_index, contract, address, name, asset_id, args, signer, relayer)
    SELECT block_number, block_hash, block_time, log_index, tx_hash, tx_index, contract, address, name, asset_id, args, signer, relayer
    FROM events ORDER BY block_number, log_index;
  DROP TABLE events;
  ALTER TABLE events_rebuilt RENAME TO events;
  CREATE UNIQUE INDEX events_by_block ON events (block_number, log_index);
  CREATE INDEX events_by_asset ON events (asset_id, block_number, log_index) WHERE asset_id IS NOT NULL;
  CREATE INDEX events_by_signer ON events (signer, block_number, log_index) WHERE signer IS NOT NULL;
  CREATE INDEX events_by_relayer ON events (relayer, block_number, log_index) WHERE relayer IS NOT NULL;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the database up to the latest schema (or `target`: tests); each migration commits with its version number.
 * `log` hears of each migration of a file an older indexer wrote (some rebuild a table: seconds per million events),
 * not of the creation of a new one.
 */
export function migrate(db: Database, target = SCHEMA_VERSION, log?: (message: string) => void): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(`index database has schema version ${current}, newer than this indexer (${SCHEMA_VERSION}); upgrade the indexer`);
  }
  for (let v = current; v < target; v++) {
    const started = Date.now();
    if (current > 0) log?.(`migrating the index from schema ${v} to ${v + 1}...`);
    db.transaction(() => {
      const m = MIGRATIONS[v];
      if (typeof m === "string") db.exec(m);
      else m(db);
      db.pragma(`user_version = ${v + 1}`);
    })();
    if (current > 0) log?.(`migrated the index to schema ${v + 1} in ${Date.now() - started} ms`);
  }
}
