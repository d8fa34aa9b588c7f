// Notices beside an answer. A question about a time after the latest indexed block (a balance sheet's asOf, a
// disclosure period's from and to, a valuation's asOf, a settlements range) is answered with what the index holds so
// far, and the chain may still record events up to that time: the answer says the index has not reached it, in
// GraphQL under `extensions.notices`, in CSV in the `X-Index-Notice` header.
import type { Plugin } from "graphql-yoga";
import type { SyncState } from "./context";
import { endOfDay, iso } from "./inputs";

export interface Notice {
  code: "INDEX_NOT_REACHED";
  /** The argument whose time the index has not reached. */
  argument: string;
  message: string;
  latestBlock: number | null;
  latestBlockTime: string | null;
}

/** The notice for `argument` (given as `text`, meaning unix time `time`), or null if the index has reached it. */
export function indexNotReached(sync: SyncState, argument: string, text: string, time: number): Notice | null {
  if (sync.latestBlockTime !== null && time <= sync.latestBlockTime) return null;
  const reached =
    sync.latestBlockTime === null
      ? "the index holds no block yet"
      : `its latest block is ${sync.latestBlock}, of ${iso(sync.latestBlockTime)}`;
  return {
    code: "INDEX_NOT_REACHED",
    argument,
    message: `${argument}: the index has not reached ${text} (${reached}): the figures are those known so far and may still change`,
    latestBlock: sync.latestBlock,
    latestBlockTime: iso(sync.latestBlockTime),
  };
}

/** What a request's resolvers need to give notices: the sync state they answer from, and the list to add to. */
export interface NoticeContext {
  sync: SyncState;
  /** The request's notices (server.ts starts each request with an empty list; without one, none are kept). */
  notices?: Notice[];
}

/** Adds the notice for `argument` to the request's answer if the index has not reached `time` (once per argument). */
export function noteIndexReach(ctx: NoticeContext, argument: string, text: string, time: number): void {
  const notice = indexNotReached(ctx.sync, argument, text, time);
  if (notice && ctx.notices && !ctx.notices.some((n) => n.message === notice.message)) ctx.notices.push(notice);
}

/** Puts the request's notices into the answer's `extensions.notices`. */
export function noticesPlugin(): Plugin {
  return {
    onExecute({ args }) {
      return {
        onExecuteDone({ result, setResult }) {
          const notices = (args.contextValue as Partial<NoticeContext>).notices;
          if (!notices?.length || Symbol.asyncIterator in result) return;
          setResult({ ...result, extensions: { ...result.extensions, notices } });
        },
      };
    },
  };
}

/** The notices of a CSV export's dates (YYYY-MM-DD, already checked) as one header value, or null if none. */
export function csvNotices(sync: SyncState, dates: Record<string, string>): string | null {
  const notices = Object.entries(dates).flatMap(([argument, date]) => indexNotReached(sync, argument, date, endOfDay(argument, date)) ?? []);
  return notices.length ? notices.map((n) => n.message).join(" ") : null;
}
