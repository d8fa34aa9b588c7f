// Answers kept while the index stands still. Every answer of /graphql is a function of the request and of the index
// at its block (and the account mappings' files): the ETag names that state (server.ts indexTag). So an answer
// computed once is the answer to the same request until the tag changes, and the first request after a new block
// starts an empty cache. Bounded in bytes (least recently used out first); per process (each API worker has its own).
export interface CachedAnswer {
  status: number;
  headers: [string, string][];
  body: Buffer;
}

export class ResponseCache {
  private tag = "";
  private readonly answers = new Map<string, CachedAnswer>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  /**
   * `maxBytes` in all (0: keep nothing); no answer larger than `maxEntryBytes` is kept (default a quarter of the whole,
   * 16 MB of the default 64: a year's journal of a 1,400-book entity is ~9 MB of JSON, its Chinese in UTF-8).
   */
  constructor(
    readonly maxBytes: number,
    readonly maxEntryBytes = Math.min(maxBytes, Math.max(8 * 1024 * 1024, Math.floor(maxBytes / 4))),
  ) {}

  /** Bytes kept (answers' bodies and keys). */
  get size(): number {
    return this.bytes;
  }

  get enabled(): boolean {
    return this.maxBytes > 0;
  }

  /**
   * For an answer computed afresh on request (Cache-Control: no-cache): whether one is kept for `key` at state `tag`
   * already (the same answer); if so it becomes the most recently used, as asked for again. Not counted as a hit.
   */
  renew(tag: string, key: string): boolean {
    const kept = tag === this.tag ? this.answers.get(key) : undefined;
    if (kept) this.used(key, kept);
    return kept !== undefined;
  }

  /**
   * The index is at state `tag` (a request's, as it starts: the index only moves on): a new state empties the cache.
   * get does this; a request for an answer computed afresh, which does not get, says so here, or a worker that only
   * had such requests since the index moved would keep none of their answers.
   */
  at(tag: string): void {
    if (tag !== this.tag) this.reset(tag);
  }

  /** The answer kept for `key` at index state `tag`, if any (a new tag empties the cache). */
  get(tag: string, key: string): CachedAnswer | undefined {
    this.at(tag);
    const hit = this.answers.get(key);
    if (hit) {
      this.used(key, hit);
      this.hits++;
    } else this.misses++;
    return hit;
  }

  /**
   * Keeps `answer` for `key` at state `tag` (nothing if the state has moved on meanwhile, or it is too large). An answer
   * already kept for the key at this state is the same answer (computed afresh on request: Cache-Control: no-cache):
   * the one kept stays, now the most recently used. Setting it again counted its bytes twice, and repeated no-cache
   * requests pushed the count past the bound until the cache threw out every answer.
   */
  set(tag: string, key: string, answer: CachedAnswer): void {
    if (tag !== this.tag || this.renew(tag, key)) return;
    const size = answer.body.length + key.length;
    if (size > this.maxEntryBytes) return;
    this.answers.set(key, answer);
    this.bytes += size;
    for (const [k, a] of this.answers) {
      if (this.bytes <= this.maxBytes) break;
      this.answers.delete(k);
      this.bytes -= a.body.length + k.length;
    }
  }

  /** Makes `key` the most recently used (the last in the map's order, the last to leave). */
  private used(key: string, answer: CachedAnswer): void {
    this.answers.delete(key);
    this.answers.set(key, answer);
  }

  private reset(tag: string): void {
    this.tag = tag;
    this.answers.clear();
    this.bytes = 0;
  }
}

/** API_CACHE_MB as bytes (default 64 MB per process; 0 turns the cache off). */
export function cacheBytesFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.API_CACHE_MB;
  if (text === undefined || text === "") return 64 * 1024 * 1024;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new Error(`API_CACHE_MB=${text}: expected a number of megabytes, 0 or more`);
  return Math.round(n * 1024 * 1024);
}
