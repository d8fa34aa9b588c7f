// A chart drawn by ECharts, which is loaded with a dynamic import the first time a chart is shown (its own chunk, so
// the first page stays small). The option is plain data; the wrapper is an image with a label for screen readers,
// and the figures behind every chart are also in a table on the page.
import { useEffect, useRef, useState } from "preact/hooks";
import { useT } from "../i18n";

export function Chart(props: { option: Record<string, unknown>; label: string; height?: number; testid?: string }) {
  const t = useT();
  const el = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [drawn, setDrawn] = useState(false);
  const option = JSON.stringify(props.option);
  useEffect(() => {
    let chart: { dispose(): void; resize(): void; setOption(o: unknown, notMerge?: boolean): void } | null = null;
    let live = true;
    const onResize = () => chart?.resize();
    import("./echarts").then(
      ({ echarts }) => {
        if (!live || !el.current) return;
        chart = echarts.getInstanceByDom(el.current) ?? echarts.init(el.current, null, { renderer: "svg" });
        chart!.setOption({ animation: false, aria: { enabled: true }, ...props.option }, true);
        window.addEventListener("resize", onResize);
        setDrawn(true);
      },
      (err: Error) => live && setError(err.message),
    );
    return () => {
      live = false;
      window.removeEventListener("resize", onResize);
      chart?.dispose();
    };
  }, [option]);
  if (error)
    return (
      <p class="message error" role="alert">
        {t("chartFailed")}
        {error}
      </p>
    );
  return (
    <div
      class="chart"
      ref={el}
      role="img"
      aria-label={props.label}
      data-testid={props.testid}
      data-drawn={drawn ? "yes" : "no"}
      style={{ height: `${props.height ?? 320}px` }}
    />
  );
}
