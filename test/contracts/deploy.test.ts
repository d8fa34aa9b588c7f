// The production hand-over of the admin roles to a timelock (scripts/deploy.ts handAdminToTimelock): afterwards the
// deployer can change nothing, and a change proposed through the timelock takes effect only after its delay.
import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { deployContracts, handAdminToTimelock } from "../../scripts/deploy";
import { AdminTimelock__factory } from "../../typechain-types";

const DELAY = 2 * 24 * 3600;

describe("deploy: admin roles handed to a timelock", () => {
  it("the deployer loses every admin power; a proposed change executes only after the delay; the pauser stays", async () => {
    const [admin, proposer, stranger] = await ethers.getSigners();
    const d = await deployContracts(admin);
    await expect(handAdminToTimelock(d, admin, DELAY, ["not-an-address"])).to.be.rejectedWith("not an address");
    const timelockAddress = await handAdminToTimelock(d, admin, DELAY, [proposer.address]);
    expect(d.record.contracts.AdminTimelock.address).to.equal(timelockAddress);
    for (const c of [d.registry, d.rights, d.exchange, d.ledger]) {
      const role = await c.DEFAULT_ADMIN_ROLE();
      expect(await c.hasRole(role, timelockAddress)).to.equal(true);
      expect(await c.hasRole(role, admin.address)).to.equal(false);
      expect(await c.hasRole(await c.PAUSER_ROLE(), admin.address)).to.equal(true); // emergencies do not wait
    }
    await expect(d.registry.addRegistrar("SZDE", 5 * 24 * 3600)).to.be.revertedWithCustomError(d.registry, "AccessControlUnauthorizedAccount");

    const timelock = AdminTimelock__factory.connect(timelockAddress, proposer);
    const target = await d.registry.getAddress();
    const data = d.registry.interface.encodeFunctionData("addRegistrar", ["SZDE", 5 * 24 * 3600]);
    const salt = ethers.id("add SZDE");
    await expect(timelock.connect(stranger).schedule(target, 0, data, ethers.ZeroHash, salt, DELAY)).to.be.revertedWithCustomError(
      timelock,
      "AccessControlUnauthorizedAccount",
    );
    await timelock.schedule(target, 0, data, ethers.ZeroHash, salt, DELAY);
    await expect(timelock.connect(stranger).execute(target, 0, data, ethers.ZeroHash, salt)).to.be.revertedWithCustomError(
      timelock,
      "TimelockUnexpectedOperationState",
    );
    await time.increase(DELAY);
    await timelock.connect(stranger).execute(target, 0, data, ethers.ZeroHash, salt); // anyone executes once due
    expect((await d.registry.registrar(1)).code).to.equal("SZDE");
  });
});
