// Verify in the browser: drop (or choose) a file or a folder; its content hash is computed here with a progress
// bar, then checked against the asset's versions by the API (only the hash is sent). The verdict says which
// version matched, and the asset's status when it is not in force (in notice, rejected, cancelled, expired).
import { useRef, useState } from "preact/hooks";
import { gql } from "../api";
import { useT } from "../i18n";
import { cstTime } from "../format";
import { Hash } from "./ui";
import { restrictLabel } from "./encumbrance";
import { entriesOfFolderInput, filesOfEntry, hashFile, hashFolder, type Entry } from "./hash";

const VERIFY = `query Verify($id: ID!, $h: String!) {
  verifyContent(assetId: $id, contentHash: $h) {
    matches current registeredToAssetId
    encumbrance { livePledges names enforcing }
    version { version addedAt chain { blockNumber txHash } }
  }
}`;

type State =
  | { step: "idle" }
  | { step: "hashing"; what: string; done: number; total: number; files: number }
  | { step: "done"; what: string; hash: string; files: number; result: any }
  | { step: "error"; message: string };

export function Verify(props: { asset: any; status: string; pledgeLines?: string[] }) {
  const t = useT();
  const [state, setState] = useState<State>({ step: "idle" });
  const [over, setOver] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);

  const run = async (what: string, files: number, hashing: (p: (d: number, n: number) => void) => Promise<string>) => {
    setState({ step: "hashing", what, done: 0, total: 0, files });
    let last = 0;
    try {
      const hash = await hashing((done, total) => {
        const now = performance.now();
        if (now - last > 50 || done === total) {
          last = now;
          setState({ step: "hashing", what, done, total, files });
        }
      });
      const d = await gql(VERIFY, { id: props.asset.id, h: hash });
      setState({ step: "done", what, hash, files, result: d.verifyContent });
    } catch (err) {
      setState({ step: "error", message: `${t("readFailed")}${(err as Error).message || String(err)}` });
    }
  };

  const single = (file: File) => run(file.name, 1, (p) => hashFile(file, p));
  const folder = (name: string, entries: Entry[]) => {
    if (entries.length === 0) return setState({ step: "error", message: t("emptyFolder") });
    return run(`${name}/`, entries.length, (p) => hashFolder(entries, p));
  };

  const onDrop = async (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    const items = Array.from(e.dataTransfer?.items ?? []).filter((i) => i.kind === "file");
    if (items.length !== 1) return setState({ step: "error", message: t("oneItem") });
    const entry = items[0].webkitGetAsEntry?.();
    try {
      if (entry?.isDirectory) return folder(entry.name, await filesOfEntry(entry as FileSystemDirectoryEntry));
      const file = items[0].getAsFile();
      if (!file) throw new Error("no file");
      return single(file);
    } catch (err) {
      setState({ step: "error", message: `${t("readFailed")}${(err as Error).message}` });
    }
  };

  return (
    <div class="verify">
      <div
        class={`dropzone ${over ? "over" : ""}`}
        data-testid="dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <p>{t("dropHere")}</p>
        <div class="buttons">
          <button type="button" onClick={() => fileInput.current?.click()}>
            {t("chooseFile")}
          </button>
          <button type="button" onClick={() => folderInput.current?.click()}>
            {t("chooseFolder")}
          </button>
        </div>
        <input
          ref={fileInput}
          type="file"
          class="visually-hidden"
          aria-label={t("chooseFile")}
          data-testid="file-input"
          onChange={(e) => {
            const f = (e.target as HTMLInputElement).files?.[0];
            if (f) single(f);
            (e.target as HTMLInputElement).value = "";
          }}
        />
        <input
          ref={folderInput}
          type="file"
          class="visually-hidden"
          aria-label={t("chooseFolder")}
          data-testid="folder-input"
          {...({ webkitdirectory: true } as any)}
          onChange={(e) => {
            const list = (e.target as HTMLInputElement).files;
            if (list && list.length) folder(list[0].webkitRelativePath.split("/")[0], entriesOfFolderInput(list));
            else setState({ step: "error", message: t("emptyFolder") });
            (e.target as HTMLInputElement).value = "";
          }}
        />
      </div>
      {state.step === "hashing" && (
        <div class="progress-box" role="status">
          <label for="hash-progress">
            {t("hashing")}: {state.what} ({state.files} {t("files")})
          </label>
          <progress id="hash-progress" max={state.total || 1} value={state.done} />
          <span class="meta">{state.total ? Math.floor((state.done / state.total) * 100) : 0}%</span>
        </div>
      )}
      {state.step === "error" && (
        <p class="verdict error" role="alert" data-verdict="error">
          {state.message}
        </p>
      )}
      {state.step === "done" && <Verdict state={state} asset={props.asset} status={props.status} pledgeLines={props.pledgeLines ?? []} />}
    </div>
  );
}

function Verdict(props: { state: Extract<State, { step: "done" }>; asset: any; status: string; pledgeLines: string[] }) {
  const t = useT();
  const r = props.state.result;
  const verdict = !r.matches ? "none" : r.current ? "current" : "past";
  const warn: Record<string, "warnInNotice" | "warnRejected" | "warnCancelled" | "warnExpired"> = {
    IN_NOTICE: "warnInNotice",
    REJECTED: "warnRejected",
    CANCELLED: "warnCancelled",
    EXPIRED: "warnExpired",
  };
  return (
    <div class={`verdict v-${verdict}`} role="status" data-verdict={verdict} data-version={r.version?.version ?? ""}>
      <p class="headline">
        {verdict === "current" && `✔ ${t("matchCurrent")} (${t("version")} ${r.version.version})`}
        {verdict === "past" && `⚠ ${t("matchPast")}: ${t("version")} ${r.version.version} · ${t("block")} ${r.version.chain.blockNumber} · ${cstTime(r.version.addedAt)}`}
        {verdict === "none" && `✘ ${t("noMatch")}`}
      </p>
      <p>
        {props.state.what} · {props.state.files} {t("files")} · {t("computedHash")}: <Hash h={props.state.hash} full />
      </p>
      {r.registeredToAssetId && (
        <p>
          {t("registeredElsewhere")}
          <a href={`/asset/${r.registeredToAssetId}`}>#{r.registeredToAssetId}</a>
        </p>
      )}
      <p class={`status-note ${warn[props.status] ? "warn" : "ok"}`} data-status-note={props.status}>
        {warn[props.status] ? t(warn[props.status]) : t("okActive")}
      </p>
      <Encumbered e={r.encumbrance} lines={props.pledgeLines} />
    </div>
  );
}

/** Next to the status: whether the asset is encumbered by live pledges now (the API's answer to this check). */
function Encumbered(props: { e: { livePledges: number; names: string[]; enforcing: boolean } | null; lines: string[] }) {
  const t = useT();
  const e = props.e;
  if (!e) return null;
  if (e.livePledges === 0 && !e.enforcing)
    return (
      <p class="encumbrance-note ok" data-encumbrance-note="none">
        {t("unencumberedNote")}
      </p>
    );
  const what = props.lines.length ? props.lines.join("；") : t("encPledged");
  return (
    <div class="encumbrance-note warn" data-encumbrance-note={e.livePledges}>
      <p>⚠ {t("encumberedNote", { n: e.livePledges, what })}</p>
      <p class="meta">{t("encumberedRestricts", { list: e.names.map((n) => restrictLabel(t, n)).join("、") })}</p>
    </div>
  );
}
