import { useEffect, useState } from "preact/hooks";
import { LangContext, initialLang, translate, useT, type Lang } from "./i18n";
import { interceptLinks, navigate, useLocation } from "./router";
import { HomePage } from "./pages/home";
import { SearchPage } from "./pages/search";
import { AssetPage } from "./pages/asset";
import { EntityIndex, EntityPage } from "./pages/entity";
import { ExchangeIndex, ExchangePage } from "./pages/exchange";
import { Message } from "./components/ui";

function Header() {
  const t = useT();
  const [q, setQ] = useState("");
  return (
    <header class="top">
      <a class="brand" href="/">
        <img src="/favicon.svg" alt="" width={28} height={28} />
        <span>{t("appName")}</span>
      </a>
      <nav aria-label={t("home")}>
        <a href="/">{t("home")}</a>
        <a href="/entity">{t("entities")}</a>
        <a href="/exchange">{t("exchanges")}</a>
      </nav>
      <form
        class="search"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          if (q.trim()) navigate(`/search?q=${encodeURIComponent(q.trim())}`);
        }}
      >
        <input
          type="search"
          name="q"
          aria-label={t("searchLabel")}
          placeholder={t("searchPlaceholder")}
          value={q}
          onInput={(e) => setQ((e.target as HTMLInputElement).value)}
        />
        <button type="submit">{t("search")}</button>
      </form>
      <LangSwitch />
    </header>
  );
}

function LangSwitch() {
  const t = useT();
  return (
    <LangContext.Consumer>
      {({ lang, setLang }) => (
        <button class="lang" type="button" aria-label={t("switchLangLabel")} lang={lang === "zh" ? "en" : "zh-CN"} onClick={() => setLang(lang === "zh" ? "en" : "zh")}>
          {t("switchLang")}
        </button>
      )}
    </LangContext.Consumer>
  );
}

function Routes() {
  const { path, query } = useLocation();
  const t = useT();
  let m: RegExpExecArray | null;
  if (path === "/" || path === "/index.html") return <HomePage />;
  if (path === "/search") return <SearchPage q={query.get("q") ?? ""} />;
  if ((m = /^\/asset\/([^/]*)\/?$/.exec(path))) return <AssetPage id={decodeURIComponent(m[1])} />;
  if (path === "/entity" || path === "/entity/") return <EntityIndex />;
  if ((m = /^\/entity\/([^/]*)\/?$/.exec(path))) return <EntityPage address={decodeURIComponent(m[1])} query={query} />;
  if (path === "/exchange" || path === "/exchange/") return <ExchangeIndex />;
  if ((m = /^\/exchange\/([^/]*)\/?$/.exec(path))) return <ExchangePage id={decodeURIComponent(m[1])} />;
  return (
    <Message title={t("notFound")}>
      <p>{t("notFoundText")}</p>
      <p>
        <a href="/">{t("backHome")}</a>
      </p>
    </Message>
  );
}

export function App() {
  const [lang, setLangState] = useState<Lang>(initialLang);
  useEffect(() => interceptLinks(), []);
  useEffect(() => {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.title = translate(lang, "appName");
  }, [lang]);
  const setLang = (l: Lang) => {
    try {
      localStorage.setItem("lang", l);
    } catch {
      // private mode: the switch still works for this page
    }
    setLangState(l);
  };
  return (
    <LangContext.Provider value={{ lang, setLang }}>
      <a class="skip" href="#main">
        {lang === "zh" ? "跳到正文" : "Skip to content"}
      </a>
      <Header />
      <main id="main" tabIndex={-1}>
        <Routes />
      </main>
      <footer class="foot">
        <span>{translate(lang, "offline")}</span>
        <a href="/graphql">{translate(lang, "graphiql")}</a>
      </footer>
    </LangContext.Provider>
  );
}
