// The lineage picture: sources up to 4 generations above the asset, derived assets below, an edge per lineage link
// labelled with the source's revenue share. Laid out by dagre (a layered-graph layout), drawn as SVG; every node is
// a link to its asset page. Loaded lazily, with dagre, only on asset pages that have a lineage.
import dagre from "@dagrejs/dagre";
import { useT } from "../i18n";
import { bpsPercent, shortName } from "../format";

export { shortName };

interface Node {
  id: string;
  name: string;
  registrationNumber: string | null;
  status: string;
  parents?: { shareBps: number; asset: Node }[];
}

interface Graph {
  nodes: Map<string, Node & { role: "self" | "parent" | "child"; generation: number }>;
  edges: Map<string, { from: string; to: string; shareBps: number }>;
}

/** Nodes and edges: ancestors by generation (a node reached twice is drawn once), and the direct children. */
export function lineageGraph(asset: Node & { children: { shareBps: number; asset: Node }[] }): Graph {
  const g: Graph = { nodes: new Map(), edges: new Map() };
  g.nodes.set(asset.id, { ...asset, role: "self", generation: 0 });
  const walk = (n: Node, generation: number) => {
    for (const p of n.parents ?? []) {
      if (!g.nodes.has(p.asset.id)) g.nodes.set(p.asset.id, { ...p.asset, role: "parent", generation });
      g.edges.set(`${p.asset.id}->${n.id}`, { from: p.asset.id, to: n.id, shareBps: p.shareBps });
      if (generation < 4) walk(p.asset, generation + 1);
    }
  };
  walk(asset, 1);
  for (const c of asset.children) {
    if (!g.nodes.has(c.asset.id)) g.nodes.set(c.asset.id, { ...c.asset, role: "child", generation: -1 });
    g.edges.set(`${asset.id}->${c.asset.id}`, { from: asset.id, to: c.asset.id, shareBps: c.shareBps });
  }
  return g;
}

const W = 230;
const H = 58;

function clip(s: string, n: number): string {
  return [...s].length > n ? [...s].slice(0, n - 1).join("") + "…" : s;
}

export function Lineage(props: { asset: any }) {
  const t = useT();
  const g = lineageGraph(props.asset);
  const layout = new dagre.graphlib.Graph();
  layout.setGraph({ rankdir: "TB", nodesep: 28, ranksep: 64, marginx: 12, marginy: 12 });
  layout.setDefaultEdgeLabel(() => ({}));
  for (const [id] of g.nodes) layout.setNode(id, { width: W, height: H });
  for (const e of g.edges.values()) layout.setEdge(e.from, e.to, { label: bpsPercent(e.shareBps), width: 56, height: 20 });
  dagre.layout(layout);
  const graph = layout.graph();
  const width = Math.ceil(graph.width ?? 400);
  const height = Math.ceil(graph.height ?? 200);
  const title = `${t("lineage")}: ${props.asset.name}`;
  return (
    <div class="lineage-wrap">
      <svg
        class="lineage"
        role="group"
        aria-label={title}
        viewBox={`0 0 ${width} ${height}`}
        width={width}
        height={height}
        data-testid="lineage"
      >
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" fill="#6b7280" />
          </marker>
        </defs>
        {[...g.edges.entries()].map(([key, e]) => {
          const le = layout.edge(e.from, e.to) as { points: { x: number; y: number }[]; x: number; y: number };
          const d = le.points.map((p, i) => `${i ? "L" : "M"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");
          return (
            <g key={key} class="edge" data-edge={key} data-share-bps={e.shareBps}>
              <path d={d} fill="none" stroke="#6b7280" stroke-width="1.5" marker-end="url(#arrow)" />
              <rect x={le.x - 28} y={le.y - 10} width="56" height="20" rx="4" fill="#fff" stroke="#d1d5db" />
              <text x={le.x} y={le.y + 4} text-anchor="middle" class="edge-label">
                {bpsPercent(e.shareBps)}
              </text>
            </g>
          );
        })}
        {[...g.nodes.values()].map((n) => {
          const p = layout.node(n.id);
          const x = p.x - W / 2;
          const y = p.y - H / 2;
          return (
            <a key={n.id} href={`/asset/${n.id}`} data-node={n.id} data-role={n.role}>
              <rect x={x} y={y} width={W} height={H} rx="8" class={`node ${n.role} s-${n.status.toLowerCase()}`} />
              <text x={x + 10} y={y + 22} class="node-name">
                {clip(shortName(n.name, t.lang), t.lang === "zh" && /[\u4e00-\u9fff]/.test(n.name) ? 14 : 27)}
              </text>
              <text x={x + 10} y={y + 42} class="node-no">
                {n.registrationNumber ?? `#${n.id}`} · {t.word(n.status)}
              </text>
            </a>
          );
        })}
      </svg>
    </div>
  );
}
