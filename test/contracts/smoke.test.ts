import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { world, registerActive } from "../helpers/registry";

describe("smoke", () => {
  it("registers an asset", async () => {
    const w = await loadFixture(world);
    const { assetId } = await registerActive(w, w.holder);
    expect(await w.registry.ownerOf(assetId)).to.equal(w.holder.address);
    console.log(await w.registry.registrationNumber(assetId));
  });
});
