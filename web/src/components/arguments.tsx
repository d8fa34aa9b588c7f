// An event's decoded arguments (ProvenanceEvent.arguments) as a nested list: name, value (enum names beside their
// ordinal), struct fields and array items indented.
import { Addr, Hash } from "./ui";
import { cstTime, groupDigits } from "../format";

export interface Arg {
  name: string;
  type: string;
  value: string | null;
  label?: string | null;
  components?: Arg[];
}

function Value(props: { a: Arg }) {
  const { a } = props;
  if (a.value === null) return null;
  if (a.type === "address") return <Addr a={a.value} />;
  if (/^bytes/.test(a.type)) return <Hash h={a.value} />;
  if (/(At|Until|From|Deadline)$/.test(a.name) && /^\d{9,11}$/.test(a.value))
    return <span>{cstTime(new Date(Number(a.value) * 1000).toISOString(), true)} <span class="meta">({a.value})</span></span>;
  if (a.label) return <span>{a.label} <span class="meta">({a.value})</span></span>;
  if (/^u?int/.test(a.type) && /^-?\d{5,}$/.test(a.value) && !/At$|Until$|From$|Period$/.test(a.name)) return <span class="num">{groupDigits(a.value)}</span>;
  return <span>{a.value}</span>;
}

/** Scalars flow in columns; a struct or a non-empty array opens below its name (collapsed when large). */
export function Arguments(props: { args: Arg[]; nested?: boolean }) {
  if (props.args.length === 0) return null;
  return (
    <dl class={`args ${props.nested ? "nested" : ""}`}>
      {props.args.map((a) => {
        const parts = a.components ?? [];
        if (a.value !== null || parts.length === 0)
          return (
            <div key={a.name} data-arg={a.name} class="arg">
              <dt title={a.type}>{a.name}</dt>
              <dd>{a.value !== null ? <Value a={a} /> : <span class="meta">[]</span>}</dd>
            </div>
          );
        const scalarsOnly = parts.every((c) => c.value !== null);
        if (scalarsOnly && parts.length <= 4 && /\]$/.test(a.type))
          return (
            <div key={a.name} data-arg={a.name} class="arg">
              <dt title={a.type}>{a.name}</dt>
              <dd>
                [{parts.map((c, i) => (
                  <span key={c.name}>
                    {i > 0 && ", "}
                    <Value a={c} />
                  </span>
                ))}]
              </dd>
            </div>
          );
        return (
          <div key={a.name} data-arg={a.name} class="arg struct">
            <dt title={a.type}>{a.name}</dt>
            <dd>
              <details open={parts.length <= 6 && parts.every((c) => c.value !== null)}>
                <summary>{a.type === "tuple" ? "{…}" : `[${parts.length}]`}</summary>
                <Arguments args={parts} nested />
              </details>
            </dd>
          </div>
        );
      })}
    </dl>
  );
}
