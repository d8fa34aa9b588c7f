// The API's answer cache (api/responseCache.ts): bounded in bytes, least recently used out first, emptied when the
// index moves; an answer asked for afresh (Cache-Control: no-cache) at the same state keeps the one already kept.
import { expect } from "chai";
import { ResponseCache, type CachedAnswer } from "../../api/responseCache";

const answer = (bytes: number, fill = "a"): CachedAnswer => ({ status: 200, headers: [["content-type", "application/json"]], body: Buffer.from(fill.repeat(bytes)) });

describe("API answer cache", function () {
  it("keeps answers up to its bound in bytes, the least recently used leaving first", () => {
    const cache = new ResponseCache(1000, 1000);
    cache.get("t1", "a"); // the first state
    cache.set("t1", "a", answer(299)); // 300 bytes with its key
    cache.set("t1", "b", answer(299));
    cache.set("t1", "c", answer(299));
    expect(cache.size).to.equal(900);
    expect(cache.get("t1", "a")).to.not.equal(undefined); // a is now the most recently used
    cache.set("t1", "d", answer(299)); // 1,200 bytes: b leaves
    expect(cache.size).to.equal(900);
    expect(cache.get("t1", "b")).to.equal(undefined);
    for (const k of ["a", "c", "d"]) expect(cache.get("t1", k), k).to.not.equal(undefined);
  });

  it("an answer computed afresh for a key already kept at that state keeps the first: the bytes stay counted once", () => {
    const cache = new ResponseCache(1000, 1000);
    cache.get("t1", "a");
    const first = answer(299, "x");
    cache.set("t1", "a", first);
    cache.set("t1", "b", answer(299));
    // Many fresh answers to the same two questions (as clients sending Cache-Control: no-cache do): before, each was
    // counted again, the count passed the bound, and the cache threw out every answer it had.
    for (let i = 0; i < 100; i++) {
      cache.set("t1", "a", answer(299, "x"));
      cache.set("t1", "b", answer(299));
    }
    expect(cache.size).to.equal(600);
    expect(cache.get("t1", "a")).to.equal(first);
    expect(cache.get("t1", "b")).to.not.equal(undefined);
    // Asked afresh, a kept answer becomes the most recently used: c then pushes out b, not a.
    cache.set("t1", "a", answer(299, "x"));
    cache.set("t1", "b", answer(299));
    cache.set("t1", "a", answer(299, "x"));
    cache.set("t1", "c", answer(499));
    expect(cache.get("t1", "b")).to.equal(undefined);
    expect(cache.get("t1", "a")).to.equal(first);
    expect(cache.size).to.equal(800);
  });

  it("renew: the server asks it first of an answer computed afresh, which then need not be set again", () => {
    const cache = new ResponseCache(1000, 1000);
    cache.get("t1", "a");
    expect(cache.renew("t1", "a")).to.equal(false); // nothing kept yet: the server sets the answer
    cache.set("t1", "a", answer(299));
    cache.set("t1", "b", answer(299));
    cache.set("t1", "c", answer(299));
    const hits = cache.hits;
    expect(cache.renew("t1", "a")).to.equal(true);
    expect(cache.hits).to.equal(hits); // an answer computed afresh is no hit
    cache.set("t1", "d", answer(299)); // a was renewed: b, now the least recently used, leaves
    expect(cache.get("t1", "b")).to.equal(undefined);
    expect(cache.get("t1", "a")).to.not.equal(undefined);
    expect(cache.renew("t2", "a")).to.equal(false); // another state: not the same answer
    expect(cache.size).to.equal(900);
  });

  it("at: requests for answers computed afresh alone move it to a new state, whose answers it then keeps", () => {
    const cache = new ResponseCache(1000, 1000);
    cache.get("t1", "a");
    cache.set("t1", "a", answer(299));
    cache.at("t2"); // a no-cache request at a new block: no get
    expect(cache.size).to.equal(0);
    expect(cache.renew("t2", "a")).to.equal(false);
    cache.set("t2", "a", answer(299)); // its answer is kept (before, the cache stayed at t1 and refused it)
    expect(cache.get("t2", "a")).to.not.equal(undefined);
    cache.at("t2");
    expect(cache.size).to.equal(300); // the same state: nothing emptied
  });

  it("a new index state empties it; an answer of a state that has passed, or one too large, is not kept", () => {
    const cache = new ResponseCache(1000, 400);
    cache.get("t1", "a");
    cache.set("t1", "a", answer(299));
    expect(cache.get("t2", "a")).to.equal(undefined);
    expect(cache.size).to.equal(0);
    cache.set("t1", "a", answer(299)); // computed at t1, finished after the index moved to t2
    expect(cache.get("t2", "a")).to.equal(undefined);
    cache.set("t2", "big", answer(500));
    expect(cache.get("t2", "big")).to.equal(undefined);
    expect(cache.size).to.equal(0);
  });
});
