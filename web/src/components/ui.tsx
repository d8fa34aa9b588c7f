// Small shared pieces: sections, messages, status badges, addresses and hashes.
import type { ComponentChildren } from "preact";
import { useT } from "../i18n";
import { shortHex } from "../format";

export function Section(props: { title: string; id?: string; children: ComponentChildren; intro?: string; actions?: ComponentChildren }) {
  const hid = props.id ? `${props.id}-h` : undefined;
  return (
    <section class="card" id={props.id} aria-labelledby={hid}>
      <div class="card-head">
        <h2 id={hid}>{props.title}</h2>
        {props.actions}
      </div>
      {props.intro && <p class="intro">{props.intro}</p>}
      {props.children}
    </section>
  );
}

export function Message(props: { title: string; children?: ComponentChildren; kind?: "error" | "info" }) {
  return (
    <div class={`message ${props.kind ?? "info"}`} role={props.kind === "error" ? "alert" : "status"}>
      <h1>{props.title}</h1>
      {props.children}
    </div>
  );
}

export function Loading() {
  const t = useT();
  return (
    <p class="loading" role="status">
      {t("loading")}
    </p>
  );
}

export function ErrorText(props: { error: string }) {
  const t = useT();
  return (
    <div class="message error" role="alert">
      <strong>{t("error")}: </strong>
      <span class="error-text">{props.error}</span>
    </div>
  );
}

/** ACTIVE, IN_NOTICE, … and expiry (an ACTIVE registration past its validity). */
export function statusKey(a: { status: string; validNow?: boolean; validUntil?: string | null }, now?: string | null): string {
  if (a.status === "ACTIVE" && a.validNow === false && a.validUntil && now && Date.parse(a.validUntil) < Date.parse(now)) return "EXPIRED";
  return a.status;
}

export function StatusBadge(props: { status: string }) {
  const t = useT();
  return <span class={`badge s-${props.status.toLowerCase()}`} data-status={props.status}>{t.word(props.status)}</span>;
}

export function Addr(props: { a: string | null | undefined }) {
  if (!props.a) return <span>—</span>;
  return (
    <a class="mono" href={`/search?q=${props.a}`} title={props.a}>
      {shortHex(props.a, 4)}
    </a>
  );
}

export function Hash(props: { h: string | null | undefined; full?: boolean }) {
  if (!props.h) return <span>—</span>;
  return (
    <code class="mono" title={props.h}>
      {props.full ? props.h : shortHex(props.h, 8)}
    </code>
  );
}

export function AssetLink(props: { a: { id: string; name: string; registrationNumber?: string | null } }) {
  return <a href={`/asset/${props.a.id}`}>{props.a.name}</a>;
}
