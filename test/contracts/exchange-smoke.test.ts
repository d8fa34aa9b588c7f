import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { registerActive, hash } from "../helpers/registry";
import { market, listingTerms, yuan } from "../helpers/exchange";

describe("exchange smoke", () => {
  it("lists, orders, delivers, settles with a royalty", async () => {
    const m = await loadFixture(market);
    const { assetId: parent } = await registerActive(m, m.other);
    const { assetId } = await registerActive(m, m.holder, { parentIds: [parent], parentSharesBps: [2000] });
    await m.dex.connect(m.holder).list(await listingTerms(m, assetId));
    const tx0 = await m.dex.connect(m.buyer).order(1, yuan(50_000));
    const r0 = await tx0.wait();
    const tx1 = await m.dex.connect(m.holder).deliver(1, hash("delivery"));
    const r1 = await tx1.wait();
    const tx2 = await m.dex.connect(m.buyer).accept(1);
    const r2 = await tx2.wait();
    console.log("gas order", r0!.gasUsed, "deliver", r1!.gasUsed, "accept+settle", r2!.gasUsed);
    const token = await m.token.getAddress();
    const price = yuan(50_000);
    const fee = price / 100n;
    const royalty = ((price - fee) * 2000n) / 10000n;
    expect(await m.dex.creditOf(m.szTreasury.address, token)).to.equal(fee);
    expect(await m.dex.creditOf(m.other.address, token)).to.equal(royalty);
    expect(await m.dex.creditOf(m.holder.address, token)).to.equal(price - fee - royalty);
    expect(await m.rights.ownerOf(1)).to.equal(m.buyer.address);
    expect(await m.token.balanceOf(await m.dex.getAddress())).to.equal(await m.dex.liabilitiesOf(token));
    await m.dex.connect(m.holder).withdraw(token, m.holder.address);
    expect(await m.token.balanceOf(await m.dex.getAddress())).to.equal(await m.dex.liabilitiesOf(token));
    await time.increase(1);
  });
});
