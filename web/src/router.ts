// A small client router over the History API: paths like /asset/7 and /search?q=… are real URLs the API server
// answers with index.html, so a link can be shared and reloaded.
import { useEffect, useState } from "preact/hooks";

const CHANGE = "app:navigate";

export function navigate(to: string, replace = false): void {
  if (to === location.pathname + location.search) return;
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  window.dispatchEvent(new Event(CHANGE));
  window.scrollTo(0, 0);
}

/** The current path and query; re-renders on navigation. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const on = () => setTick((t) => t + 1);
    window.addEventListener("popstate", on);
    window.addEventListener(CHANGE, on);
    return () => {
      window.removeEventListener("popstate", on);
      window.removeEventListener(CHANGE, on);
    };
  }, []);
  return { path: location.pathname, query: new URLSearchParams(location.search) };
}

/** Same-origin links navigate in the page; modified clicks (new tab) and downloads are left to the browser. */
export function interceptLinks(): () => void {
  const on = (e: MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.("a");
    if (!a || a.hasAttribute("download") || a.target === "_blank") return;
    const href = a.getAttribute("href") ?? a.getAttribute("xlink:href");
    if (!href || !href.startsWith("/") || href.startsWith("//") || /^\/(graphql|csv|xlsx|metrics|ready|health)\b/.test(href)) return;
    e.preventDefault();
    navigate(href);
  };
  document.addEventListener("click", on);
  return () => document.removeEventListener("click", on);
}
