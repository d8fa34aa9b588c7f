// An answer's JSON written in pieces into kept buffers (api/answerBytes.ts): the bytes must be exactly those of
// Buffer.from(JSON.stringify(value)) for any value, however it is cut (large arrays, large elements, text that is not
// ASCII), and a buffer lent out must never be written over by the next answer before it is given back.
import { expect } from "chai";
import fc from "fast-check";
import { answerBytes, giveBack, isLent } from "../../api/answerBytes";

const json = (v: unknown) => Buffer.from(JSON.stringify(v), "utf8");

/** A balance-sheet-like answer: `n` rows of about 370 characters, names from `name`. */
function sheet(n: number, name: (i: number) => string) {
  const amount = (i: number) => ({ raw: String(i * 1_000_003), value: `${i}.000003` });
  const rows = Array.from({ length: n }, (_, i) => ({
    bookId: String(i + 1),
    asset: { id: String(i * 7), name: name(i), registrationNumber: i % 5 === 0 ? null : `SZDE-2026-${String(i).padStart(6, "0")}` },
    category: "Intangible",
    source: "Purchased",
    cost: amount(i),
    accumulatedAmortisation: amount(i + 1),
    impairment: amount(0),
    carryingAmount: amount(i + 2),
  }));
  return { data: { balanceSheet: [{ currency: { symbol: "USDS", decimals: 6 }, rows }, { currency: { symbol: "CNY", decimals: 2 }, rows: rows.slice(0, 7) }] } };
}

describe("API: answers written as bytes in pieces (answerBytes)", () => {
  it("writes a large answer byte for byte as JSON.stringify, ASCII or not", () => {
    for (const name of [(i: number) => `Freight truck trajectories ${i}`, (i: number) => (i % 97 === 0 ? `城市交通数据 ${i} 🚚` : `Retail ${i} café`)]) {
      const value = sheet(3000, name);
      const bytes = answerBytes(value);
      expect(bytes.length).to.be.greaterThan(1_000_000);
      expect(bytes.equals(json(value))).to.equal(true);
      giveBack(bytes);
    }
  });

  it("writes any value as JSON.stringify does: undefined and functions skipped or null, toJSON, null prototypes, large elements", () => {
    const big = (s: string) => Array.from({ length: 400 }, (_, i) => ({ i, s: `${s}${i}`.repeat(20) }));
    const odd = Object.create(null) as Record<string, unknown>;
    odd.rows = big("行");
    odd.when = new Date(Date.UTC(2026, 11, 7));
    odd.skipped = undefined;
    odd.fn = () => 1;
    const cases: unknown[] = [
      { data: odd },
      { data: { list: [...big("a"), undefined, () => 1, null, big("b")], nested: [big("c"), big("d")] } },
      // Elements each larger than a piece: written piece by piece, not stringified whole.
      { data: Array.from({ length: 40 }, (_, i) => ({ part: i, rows: big(`e${i}`) })) },
      { data: { error: { toJSON: () => ({ message: "said by toJSON", rows: big("f") }) } } },
      { data: { "key \"quoted\" \u2028": big("g"), "": [], empty: {} } },
    ];
    for (const value of cases) {
      const bytes = answerBytes(value);
      expect(bytes.toString("utf8")).to.equal(JSON.stringify(value));
      giveBack(bytes);
    }
  });

  it("writes random values as JSON.stringify does (fast-check)", () => {
    const row = fc.record({ id: fc.integer(), name: fc.string({ unit: "grapheme", maxLength: 120 }), tags: fc.array(fc.string(), { maxLength: 4 }), x: fc.option(fc.double({ noNaN: false })) });
    fc.assert(
      fc.property(fc.array(row, { minLength: 0, maxLength: 600 }), fc.jsonValue(), (rows, other) => {
        const value = { data: { rows, other, more: [rows, { rows }] } };
        const bytes = answerBytes(value);
        const same = bytes.equals(json(value));
        giveBack(bytes);
        return same;
      }),
      { numRuns: 60 },
    );
  });

  it("never writes over an answer lent out; reuses its buffer once given back", () => {
    const a = sheet(500, (i) => `a${i}`);
    const b = sheet(500, (i) => `b${i}`);
    const first = answerBytes(a);
    const second = answerBytes(b);
    expect(first.buffer).to.not.equal(second.buffer);
    expect(first.equals(json(a)) && second.equals(json(b))).to.equal(true);
    expect(isLent(first)).to.equal(true);
    giveBack(first);
    expect(isLent(first)).to.equal(false);
    const third = answerBytes(b);
    expect(third.buffer, "the buffer given back is written again").to.equal(first.buffer);
    expect(second.equals(json(b)) && third.equals(json(b))).to.equal(true);
    giveBack(first); // given back twice: no effect (it is lent again as `third`)
    expect(isLent(third)).to.equal(true);
    const fourth = answerBytes(a);
    expect(fourth.buffer).to.not.equal(third.buffer);
    expect(third.equals(json(b))).to.equal(true);
    for (const x of [second, third, fourth]) giveBack(x);
  });
});
