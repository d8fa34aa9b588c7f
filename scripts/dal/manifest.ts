// `dal register --manifest catalogue.csv`: a catalogue registered in batches. Every row is checked before anything
// is hashed; each file or folder is hashed with a progress bar; the batches go as registry.submitBatch transactions
// (all or nothing per batch). Progress lives in <catalogue.csv>.dal-state.json, written atomically after each hash
// and each batch, so an interrupted run resumes without hashing or submitting anything twice: before sending, rows
// whose content the registry already holds for this signer (a batch whose receipt was lost) are taken as done.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import type { Interface, Wallet } from "ethers";
import type { IDataAssetRegistry } from "../../typechain-types/contracts/DataAssetRegistry";
import type { Chain } from "./env";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { DalError, EXIT, usage } from "./exit";
import { small } from "./parse";
import { decodeRevert, revertData } from "./revert";
import { terminalProgress } from "./progress";
import { cstTime, table } from "./report";
import { prepareSubmission, type Prepared, type RegisterOptions } from "./registry";
import type { Session } from "./session";
import { send } from "./tx";

const COLUMNS = ["path", "name", "kind", "source", "grade", "records", "update", "validity_days", "metadata_uri", "parents"] as const;
type Column = (typeof COLUMNS)[number];

interface Row {
  line: number;
  /** The path as the CSV writes it: the row's key in the state file and in messages. */
  key: string;
  /** The path resolved against the CSV's folder. */
  path: string;
  options: RegisterOptions;
}

interface ItemState {
  /** The signed request (--sign-dir) that carries this row, until the row is found on the chain. */
  signed?: string;
  contentHash: string;
  metadataHash: string;
  bytes: string;
  files: number;
  assetId?: string;
  tx?: string;
  noticeEndsAt?: number;
}

interface State {
  format: "dal-manifest-state-v1";
  /** Keyed by the row's path as written in the CSV. */
  items: Record<string, ItemState>;
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") row.push(field), (field = "");
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field), rows.push(row), (row = []), (field = "");
    } else field += c;
  }
  if (quoted) throw usage("--manifest: a quoted field is not closed");
  if (field !== "" || row.length) row.push(field), rows.push(row);
  return rows.filter((r) => r.some((f) => f.trim() !== ""));
}

function readRows(file: string, defaults: RegisterOptions): Row[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8").replace(/^\uFEFF/, "");
  } catch (err) {
    throw usage(`--manifest: cannot read ${file}: ${(err as Error).message}`);
  }
  const [header, ...body] = parseCsv(text);
  if (!header) throw usage(`--manifest: ${file} is empty`);
  const names = header.map((h) => h.trim().toLowerCase());
  const unknown = names.filter((n) => !(COLUMNS as readonly string[]).includes(n));
  if (unknown.length) throw usage(`--manifest: unknown column(s) ${unknown.join(", ")}; the columns are ${COLUMNS.join(", ")}`);
  if (!names.includes("path")) throw usage(`--manifest: ${file} has no "path" column`);
  if (!body.length) throw usage(`--manifest: ${file} lists no rows`);
  const base = dirname(resolve(file));
  const seen = new Set<string>();
  return body.map((fields, i) => {
    const line = i + 2;
    if (fields.length > names.length) throw usage(`--manifest line ${line}: ${fields.length} fields for ${names.length} columns`);
    const get = (c: Column) => {
      const at = names.indexOf(c);
      const v = at < 0 ? undefined : fields[at]?.trim();
      return v === "" ? undefined : v;
    };
    const path = get("path");
    if (!path) throw usage(`--manifest line ${line}: no path`);
    if (seen.has(path)) throw usage(`--manifest line ${line}: ${path} is listed twice`);
    seen.add(path);
    const options: RegisterOptions = {
      ...defaults,
      name: get("name") ?? undefined,
      kind: get("kind") ?? defaults.kind,
      source: get("source") ?? defaults.source,
      grade: get("grade") ?? defaults.grade,
      records: get("records") ?? defaults.records,
      update: get("update") ?? defaults.update,
      validityDays: get("validity_days") ?? defaults.validityDays,
      metadataUri: get("metadata_uri") ?? defaults.metadataUri,
      parent: get("parents")?.split(";").map((p) => p.trim()).filter(Boolean) ?? defaults.parent,
      size: undefined, // each row's own size: the bytes hashed
      metadata: undefined, // each row generates its own metadata document
    };
    return { line, key: path, path: isAbsolute(path) ? path : join(base, path), options };
  });
}

function loadState(file: string): State {
  if (!existsSync(file)) return { format: "dal-manifest-state-v1", items: {} };
  try {
    const s = JSON.parse(readFileSync(file, "utf8")) as State;
    if (s.format !== "dal-manifest-state-v1" || typeof s.items !== "object") throw new Error("not a dal manifest state");
    return s;
  } catch (err) {
    throw usage(`cannot resume from ${file}: ${(err as Error).message}; move it away to start over`);
  }
}

/** Written to a temporary file and renamed: a crash leaves the old state or the new one, never half of one. */
function saveState(file: string, state: State): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 1) + "\n");
  renameSync(`${file}.tmp`, file);
}

export async function registerManifest(
  session: Session,
  manifest: string,
  o: RegisterOptions & { batchSize?: string; signDir?: string },
): Promise<number | void> {
  const batchSize = small("--batch-size", o.batchSize ?? "50", 1, 200);
  if (session.options.sign) throw usage("--manifest signs its batches with --sign-dir <dir>, not --sign");
  const rows = readRows(manifest, o);
  const stateFile = `${manifest}.dal-state.json`;
  const state = loadState(stateFile);

  // 1. Hash what is not hashed yet (an edited row whose file changed is hashed again only if it is not registered).
  const prepared = new Map<string, Prepared>();
  let hashed = 0;
  for (const [i, row] of rows.entries()) {
    const known = state.items[row.key];
    if (known?.assetId) continue;
    const label = `hashing ${i + 1}/${rows.length} ${row.key}`;
    let p: Prepared;
    try {
      p = await prepareSubmission(row.path, row.options, terminalProgress(label));
    } catch (err) {
      if (err instanceof DalError) throw new DalError(err.code, `--manifest line ${row.line} (${row.key}): ${err.message}`);
      throw err;
    }
    prepared.set(row.key, p);
    state.items[row.key] = { contentHash: p.content.hash, metadataHash: p.metadataHash, bytes: p.content.bytes.toString(), files: p.content.files };
    saveState(stateFile, state);
    hashed++;
  }

  // 2. What an interrupted run already submitted: the registry's content index names this signer's asset.
  const pending = rows.filter((r) => !state.items[r.key].assetId);
  const { chain, wallet, as } = await session.writer();
  let found = 0;
  for (const row of pending) {
    const item = state.items[row.key];
    const [assetId] = await chain.registry.findContent(item.contentHash);
    if (assetId === 0n) continue;
    const asset = await chain.registry.assetOf(assetId);
    if (asset.holder.toLowerCase() !== wallet.address.toLowerCase()) {
      throw new DalError(EXIT.NOT_SENT, `--manifest line ${row.line} (${row.key}): its content is already registered as asset ${assetId} by ${asset.holder}`);
    }
    Object.assign(item, { assetId: assetId.toString(), noticeEndsAt: Number(asset.noticeEndsAt) });
    found++;
  }
  if (found) saveState(stateFile, state);

  // 3. The rest, in batches: sent, or with --sign-dir signed as relayed requests (consecutive nonces) for a relayer.
  const toSend = rows.filter((r) => !state.items[r.key].assetId);
  let sent = 0;
  if (o.signDir) {
    const files = await signBatches(chain, wallet, toSend.map((r) => prepared.get(r.key)!.submission), batchSize, o.signDir);
    for (const [k, file] of files.entries()) for (const r of toSend.slice(k * batchSize, (k + 1) * batchSize)) state.items[r.key].signed = file;
    saveState(stateFile, state);
    const signedItems = rows.map((r) => ({ line: r.line, path: r.key, ...state.items[r.key] }));
    if (session.json) {
      session.print(JSON.stringify({ manifest, state: stateFile, rows: rows.length, hashed, foundOnChain: found, signed: toSend.length, files, items: signedItems }, null, 2) + "\n");
    } else {
      session.print(`${toSend.length} of ${rows.length} rows signed into ${files.length} request(s) in ${o.signDir}; a relayer submits them: dal relay ${o.signDir}/*.json\n`);
      session.print("then run this command again: it finds the registrations on the chain and records their ids\n");
    }
    return;
  }
  for (let i = 0; i < toSend.length; i += batchSize) {
    const batch = toSend.slice(i, i + batchSize);
    process.stderr.isTTY && process.stderr.write(`registering ${i + 1}-${i + batch.length} of ${toSend.length}\n`);
    const submissions = batch.map((r) => prepared.get(r.key)!.submission);
    let receipt;
    try {
      receipt = await send(() => as.registry.submitBatch(submissions));
    } catch (err) {
      throw batchFailure(err, batch, chain.registry.interface);
    }
    for (const log of receipt.logs) {
      const ev = log.address.toLowerCase() === (chain.registry.target as string).toLowerCase() ? chain.registry.interface.parseLog(log) : null;
      if (ev?.name !== "RegistrationSubmitted") continue;
      const row = batch.find((r) => state.items[r.key].contentHash === ev.args.submission.contentHash);
      if (row) Object.assign(state.items[row.key], { assetId: ev.args.assetId.toString(), tx: receipt.hash, noticeEndsAt: Number(ev.args.noticeEndsAt) });
    }
    saveState(stateFile, state);
    sent += batch.length;
  }

  const items = rows.map((r) => ({ line: r.line, path: r.key, ...state.items[r.key] }));
  if (session.json) {
    session.print(JSON.stringify({ manifest, state: stateFile, rows: rows.length, hashed, foundOnChain: found, submitted: sent, items }, null, 2) + "\n");
  } else {
    session.print(
      table(
        ["line", "path", "asset", "content hash", "notice ends"],
        items.map((it) => [String(it.line), it.path, it.assetId ?? "", it.contentHash, it.noticeEndsAt ? cstTime(it.noticeEndsAt) : ""]),
        [0, 2],
      ),
    );
    session.print(`${rows.length} rows: ${sent} submitted now, ${rows.length - sent} already registered; progress kept in ${stateFile}\n`);
  }
}

/** Signs one submitBatch request per batch, nonces counting up from the signer's next one; returns the files. */
async function signBatches(
  chain: Chain,
  wallet: Wallet,
  submissions: IDataAssetRegistry.SubmissionStruct[],
  batchSize: number,
  dir: string,
): Promise<string[]> {
  const { forwarderAt, signRequest } = await import("../relay/request");
  const forwarder = chain.record.contracts.RelayForwarder?.address;
  if (!forwarder) throw new DalError(EXIT.WRONG_CHAIN, `deployment record ${chain.record.file} names no RelayForwarder`);
  mkdirSync(dir, { recursive: true });
  const nonce = BigInt(await forwarderAt(forwarder, chain.provider).nonces(wallet.address));
  const head = (await chain.provider.getBlock("latest"))!.timestamp;
  const files: string[] = [];
  for (let i = 0, k = 0; i < submissions.length; i += batchSize, k++) {
    const batch = submissions.slice(i, i + batchSize);
    const request = await signRequest(
      wallet,
      BigInt(chain.chainId),
      forwarder,
      {
        from: wallet.address,
        to: chain.registry.target as string,
        value: 0n,
        gas: 150_000n + 80_000n * BigInt(batch.length), // a registration in a batch takes about 67,000
        nonce: nonce + BigInt(k),
        deadline: BigInt(head + 7 * 86_400),
        data: chain.registry.interface.encodeFunctionData("submitBatch", [batch]),
      },
      "DataAssetRegistry.submitBatch",
    );
    const file = join(dir, `batch-${String(nonce + BigInt(k)).padStart(6, "0")}.json`);
    writeFileSync(file, JSON.stringify(request, null, 1) + "\n", { flag: "wx" });
    files.push(file);
  }
  return files;
}

/** A refused batch names the row: submitBatch reverts with BatchItemFailed(index, the item's own error). */
function batchFailure(err: unknown, batch: Row[], iface: Interface): unknown {
  const data = revertData(err);
  let parsed;
  try {
    parsed = data ? iface.parseError(data) : null;
  } catch {
    return err;
  }
  if (parsed?.name !== "BatchItemFailed") return err;
  const row = batch[Number(parsed.args[0])];
  const inner = parsed.args[1] as string;
  const words = decodeRevert({ data: inner })?.words ?? inner;
  return new DalError(EXIT.REFUSED, `--manifest line ${row.line} (${row.key}) was refused, and its batch with it: ${words}`);
}
