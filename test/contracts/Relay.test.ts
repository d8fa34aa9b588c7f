// Relayed (ERC-2771) and batch actions: a signer without funds acts through the forwarder on every contract, every
// kind of bad request is refused with its error, and batches behave as documented (submissions all or nothing with
// the failing index; approvals per item).
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { Wallet, type BaseContract } from "ethers";
import type { Signer } from "ethers";
import { RelayForwarder__factory } from "../../typechain-types";
import { dataOf, digestOf, signRequest, signerOf, type SignedRequestFile } from "../../scripts/relay/request";
import { DAY, SZ, Status, grantTerms, hash, registerActive, submission, world, type World } from "../helpers/registry";
import { listingTerms, market } from "../helpers/exchange";
import { pledgeTerms } from "../helpers/pledges";

const GAS = 1_000_000n;

/** Signs a call of `contract.fn(...args)` by `wallet` for the world's forwarder. */
async function signed(
  w: World,
  wallet: Signer & { address: string },
  contract: BaseContract,
  fn: string,
  args: unknown[],
  opts: { nonce?: bigint; deadline?: bigint; chainId?: bigint; forwarder?: string } = {},
): Promise<SignedRequestFile> {
  const forwarder = opts.forwarder ?? (await w.forwarder.getAddress());
  const chainId = opts.chainId ?? (await ethers.provider.getNetwork()).chainId;
  const nonce = opts.nonce ?? (await w.forwarder.nonces(wallet.address));
  const deadline = opts.deadline ?? BigInt((await time.latest()) + DAY);
  const data = contract.interface.encodeFunctionData(fn, args);
  const to = await contract.getAddress();
  return signRequest(wallet, chainId, forwarder, { from: wallet.address, to, value: 0n, gas: GAS, nonce, deadline, data }, fn);
}

/** A fresh key with no ether: it can only act through a relayer. */
function unfunded() {
  return Wallet.createRandom().connect(ethers.provider);
}

describe("Relayed and batch actions", () => {
  describe("relayed through the trusted forwarder", () => {
    it("the signer, not the relayer, is the applicant of a submission, and the forwarder reports it", async () => {
      const w = await loadFixture(world);
      const holder = unfunded();
      const s = submission();
      const req = await signed(w, holder, w.registry, "submit", [s]);
      expect(signerOf(req)).to.equal(holder.address);
      const tx = w.forwarder.connect(w.other).execute(dataOf(req));
      await expect(tx).to.emit(w.registry, "RegistrationSubmitted");
      await expect(tx).to.emit(w.forwarder, "ExecutedForwardRequest").withArgs(holder.address, 0n, true);
      const id = await w.registry.assetCount();
      expect((await w.registry.assetOf(id)).holder).to.equal(holder.address);
      expect(await ethers.provider.getBalance(holder.address)).to.equal(0n);
      expect(await w.forwarder.nonces(holder.address)).to.equal(1n);
    });

    it("the signer acts on the rights certificates, the exchange, the ledger and the pledge registry too", async () => {
      const m = await loadFixture(market);
      const seller = unfunded();
      const { assetId } = await registerActive(m, m.holder);
      // Hand the holding right to the unfunded seller through the registrar, then act only by signed requests.
      const evidence = hash("deed");
      await m.registry.connect(m.holder).requestTransfer(assetId, seller.address, evidence);
      await m.registry.connect(m.szRegistrar).approveTransfer(assetId, seller.address, evidence);

      const until = BigInt((await time.latest()) + 200 * DAY);
      const grant = await signed(m, seller, m.rights, "grant", [grantTerms(assetId, { validUntil: until }), m.licensee.address]);
      await expect(m.forwarder.connect(m.other).execute(dataOf(grant)))
        .to.emit(m.rights, "RightGranted")
        .withArgs(1n, assetId, m.licensee.address, seller.address, seller.address, () => true, 0, () => true);

      const list = await signed(m, seller, m.dex, "list", [await listingTerms(m, assetId)]);
      await expect(m.forwarder.connect(m.other).execute(dataOf(list))).to.emit(m.dex, "Listed");
      expect((await m.dex.listingOf(1)).seller).to.equal(seller.address);

      const accountant = m.signers[19].address;
      const auth = await signed(m, seller, m.ledger, "setAccountant", [accountant, true]);
      await m.forwarder.connect(m.other).execute(dataOf(auth));
      expect(await m.ledger.isAccountant(seller.address, accountant)).to.equal(true);

      // And files a pledge with the pledge registry: the signer is the pledgor.
      const bank = m.signers[18].address;
      const filing = await signed(m, seller, m.pledges, "file", [await pledgeTerms(assetId, seller.address, bank, await m.token.getAddress())]);
      await expect(m.forwarder.connect(m.other).execute(dataOf(filing))).to.emit(m.pledges, "PledgeFiled");
      expect((await m.pledges.pledgeOf(1)).pledgor).to.equal(seller.address);
      expect(await m.forwarder.nonces(seller.address)).to.equal(4n);
    });

    it("a direct caller cannot pose as someone by appending an address to its call data", async () => {
      const w = await loadFixture(world);
      const s = submission();
      const data = w.registry.interface.encodeFunctionData("submit", [s]) + w.holder.address.slice(2);
      await w.other.sendTransaction({ to: await w.registry.getAddress(), data });
      expect((await w.registry.assetOf(await w.registry.assetCount())).holder).to.equal(w.other.address);
    });
  });

  describe("refusals", () => {
    it("a replayed request", async () => {
      const w = await loadFixture(world);
      const holder = unfunded();
      const req = await signed(w, holder, w.registry, "submit", [submission()]);
      await w.forwarder.execute(dataOf(req));
      // The nonce moved on: the same signature now recovers to another address.
      await expect(w.forwarder.execute(dataOf(req))).to.be.revertedWithCustomError(w.forwarder, "ERC2771ForwarderInvalidSigner");
      expect(await w.forwarder.verify(dataOf(req))).to.equal(false);
    });

    it("an expired request", async () => {
      const w = await loadFixture(world);
      const holder = unfunded();
      const deadline = BigInt(await time.latest()) + 60n;
      const req = await signed(w, holder, w.registry, "submit", [submission()], { deadline });
      await time.increaseTo(deadline + 1n);
      await expect(w.forwarder.execute(dataOf(req)))
        .to.be.revertedWithCustomError(w.forwarder, "ERC2771ForwarderExpiredRequest")
        .withArgs(deadline);
    });

    it("a request signed for another chain", async () => {
      const w = await loadFixture(world);
      const holder = unfunded();
      const req = await signed(w, holder, w.registry, "submit", [submission()], { chainId: 1n });
      await expect(w.forwarder.execute(dataOf(req))).to.be.revertedWithCustomError(w.forwarder, "ERC2771ForwarderInvalidSigner");
    });

    it("tampered fields: call data, target, gas, deadline, signer", async () => {
      const w = await loadFixture(world);
      const holder = unfunded();
      const req = await signed(w, holder, w.registry, "submit", [submission()]);
      const other = w.registry.interface.encodeFunctionData("submit", [submission()]);
      const tampered = [
        { ...dataOf(req), data: other },
        { ...dataOf(req), to: await w.rights.getAddress() },
        { ...dataOf(req), gas: GAS + 1n },
        { ...dataOf(req), deadline: BigInt(req.request.deadline) + 1n },
        { ...dataOf(req), from: w.holder.address },
      ];
      for (const t of tampered) {
        await expect(w.forwarder.execute(t)).to.be.revertedWithCustomError(w.forwarder, "ERC2771ForwarderInvalidSigner");
      }
      expect(await w.registry.assetCount()).to.equal(0n);
    });

    it("a forwarder the contracts do not trust", async () => {
      const w = await loadFixture(world);
      const holder = unfunded();
      const rogue = await new RelayForwarder__factory(w.other).deploy();
      const req = await signed(w, holder, w.registry, "submit", [submission()], { forwarder: await rogue.getAddress() });
      await expect(rogue.execute(dataOf(req)))
        .to.be.revertedWithCustomError(rogue, "ERC2771UntrustfulTarget")
        .withArgs(await w.registry.getAddress(), await rogue.getAddress());
      expect(await w.registry.isTrustedForwarder(await rogue.getAddress())).to.equal(false);
      expect(await w.registry.trustedForwarder()).to.equal(await w.forwarder.getAddress());
    });

    it("a relayed call is held to the signer's rights: a stranger's signed approval is refused", async () => {
      const w = await loadFixture(world);
      const stranger = unfunded();
      const { assetId } = await registerActive(w, w.holder);
      const req = await signed(w, stranger, w.registry, "renew", [assetId, BigInt(await time.latest()) + 400n * BigInt(DAY)]);
      // execute() reverts when the forwarded call fails; the nonce is not used.
      await expect(w.forwarder.execute(dataOf(req))).to.be.revertedWithCustomError(w.forwarder, "FailedCall");
      expect(await w.forwarder.nonces(stranger.address)).to.equal(0n);
    });
  });

  describe("a relayer's batch of several signers' requests", () => {
    it("runs each valid request; a failing or invalid one costs the others nothing", async () => {
      const w = await loadFixture(world);
      const [a, b, c, d] = [unfunded(), unfunded(), unfunded(), unfunded()];
      const dup = submission();
      await w.registry.connect(w.holder).submit(dup); // c's content is already registered
      const expired = BigInt(await time.latest()) + 5n;
      const reqs = [
        await signed(w, a, w.registry, "submit", [submission()]),
        await signed(w, b, w.registry, "submit", [submission()]),
        await signed(w, c, w.registry, "submit", [{ ...submission(), contentHash: dup.contentHash }]),
        await signed(w, d, w.registry, "submit", [submission()], { deadline: expired }),
      ];
      await time.increaseTo(expired + 1n);
      const tx = w.forwarder.connect(w.other).executeBatch(reqs.map(dataOf), w.other.address);
      await expect(tx).to.emit(w.forwarder, "ExecutedForwardRequest").withArgs(a.address, 0n, true);
      await expect(tx).to.emit(w.forwarder, "ExecutedForwardRequest").withArgs(b.address, 0n, true);
      await expect(tx).to.emit(w.forwarder, "ExecutedForwardRequest").withArgs(c.address, 0n, false);
      expect(await w.registry.assetCount()).to.equal(3n); // the direct one, a's and b's
      expect(await w.forwarder.nonces(c.address)).to.equal(1n); // a failed call uses its nonce
      expect(await w.forwarder.nonces(d.address)).to.equal(0n); // an invalid request is skipped, unused
      expect(digestOf(reqs[0])).to.not.equal(digestOf(reqs[1]));
    });
  });

  describe("submitBatch: all or nothing", () => {
    it("registers a catalogue with consecutive ids, directly or signed", async () => {
      const w = await loadFixture(world);
      const items = [submission(), submission(), submission()];
      await expect(w.registry.connect(w.holder).submitBatch(items)).to.emit(w.registry, "RegistrationSubmitted");
      expect(await w.registry.assetCount()).to.equal(3n);
      const signer = unfunded();
      const req = await signed(w, signer, w.registry, "submitBatch", [[submission(), submission()]]);
      await w.forwarder.execute(dataOf(req));
      for (const id of [4n, 5n]) expect((await w.registry.assetOf(id)).holder).to.equal(signer.address);
    });

    it("a refused item reverts the batch with its index and its own error", async () => {
      const w = await loadFixture(world);
      const first = submission();
      const items = [first, submission(), { ...submission(), name: "" }, { ...submission(), contentHash: first.contentHash }];
      const err = await w.registry.connect(w.holder).submitBatch(items).then(() => null, (e: Error & { data?: string }) => e);
      const parsed = w.registry.interface.parseError((err as { data: string }).data)!;
      expect(parsed.name).to.equal("BatchItemFailed");
      expect(parsed.args[0]).to.equal(2n);
      expect(w.registry.interface.parseError(parsed.args[1])!.name).to.equal("EmptyName");
      await expect(w.registry.connect(w.holder).submitBatch([first, { ...submission(), contentHash: first.contentHash }]))
        .to.be.revertedWithCustomError(w.registry, "BatchItemFailed")
        .withArgs(1n, (reason: string) => w.registry.interface.parseError(reason)!.name === "ContentAlreadyRegistered");
      expect(await w.registry.assetCount()).to.equal(0n);
    });

    it("refuses an empty or oversized batch", async () => {
      const w = await loadFixture(world);
      await expect(w.registry.connect(w.holder).submitBatch([]))
        .to.be.revertedWithCustomError(w.registry, "BatchSize")
        .withArgs(0n, 200n);
      const s = submission();
      await expect(w.registry.connect(w.holder).submitBatch(Array(201).fill(s)))
        .to.be.revertedWithCustomError(w.registry, "BatchSize")
        .withArgs(201n, 200n);
    });
  });

  describe("approveBatch: per item", () => {
    it("approves what is due and skips the rest with the reason approveRegistration would give", async () => {
      const w = await loadFixture(world);
      await w.registry.connect(w.holder).submitBatch([submission(), submission(), submission(), submission({ registrarId: 2 })]);
      await w.registry.connect(w.objector).object(2, hash("evidence"));
      await time.increase(SZ.notice);
      await w.registry.connect(w.holder).submit(submission()); // 5: still in notice
      const sel = (name: string) => w.registry.interface.getError(name)!.selector;
      expect(await w.registry.connect(w.szRegistrar).approveBatch.staticCall([1, 2, 3, 5])).to.equal(2n);
      const tx = w.registry.connect(w.szRegistrar).approveBatch([1, 2, 3, 5]);
      await expect(tx).to.emit(w.registry, "RegistrationApproved").withArgs(1n, w.holder.address, SZ.id, () => true, w.szRegistrar.address, () => true, () => true);
      await expect(tx).to.emit(w.registry, "ApprovalSkipped").withArgs(2n, w.szRegistrar.address, sel("OpenObjections"));
      await expect(tx).to.emit(w.registry, "ApprovalSkipped").withArgs(5n, w.szRegistrar.address, sel("NoticeNotOver"));
      const statuses = await Promise.all([1, 2, 3, 4, 5].map(async (id) => Number((await w.registry.assetOf(id)).status)));
      expect(statuses).to.deep.equal([Status.Active, Status.InNotice, Status.Active, Status.InNotice, Status.InNotice]);
      // The numbers are consecutive in approval order.
      expect(await w.registry.registrationNumber(3)).to.match(/-000002$/);
      // Already approved: skipped as WrongStatus, not approved twice.
      await expect(w.registry.connect(w.szRegistrar).approveBatch([1]))
        .to.emit(w.registry, "ApprovalSkipped")
        .withArgs(1n, w.szRegistrar.address, sel("WrongStatus"));
    });

    it("reverts the whole batch, naming the item, on an id that is unknown or another registrar's: no one can write skips into others' records", async () => {
      const w = await loadFixture(world);
      await w.registry.connect(w.holder).submitBatch([submission(), submission({ registrarId: 2 })]);
      await time.increase(SZ.notice);
      const coder = w.registry.interface;
      const notRegistrar = (id: number, who: string) => coder.encodeErrorResult("NotRegistrar", [id, who]);
      // Someone with no registrar role cannot leave ApprovalSkipped on an asset it has nothing to do with.
      await expect(w.registry.connect(w.other).approveBatch([1]))
        .to.be.revertedWithCustomError(w.registry, "BatchItemFailed")
        .withArgs(0n, notRegistrar(1, w.other.address));
      // A registrar neither, on another registrar's asset (2 is BJ's), even after its own due item.
      await expect(w.registry.connect(w.szRegistrar).approveBatch([1, 2]))
        .to.be.revertedWithCustomError(w.registry, "BatchItemFailed")
        .withArgs(1n, notRegistrar(2, w.szRegistrar.address));
      await expect(w.registry.connect(w.szRegistrar).approveBatch([1, 99]))
        .to.be.revertedWithCustomError(w.registry, "BatchItemFailed")
        .withArgs(1n, coder.encodeErrorResult("UnknownAsset", [99]));
      // Nothing of a refused batch happened: asset 1 is still in notice and approves alone.
      expect(Number((await w.registry.assetOf(1)).status)).to.equal(Status.InNotice);
      await expect(w.registry.connect(w.szRegistrar).approveBatch([1])).to.emit(w.registry, "RegistrationApproved");
    });

    it("the single approval still names its full error", async () => {
      const w = await loadFixture(world);
      await w.registry.connect(w.holder).submit(submission());
      const a = await w.registry.assetOf(1);
      await expect(w.registry.connect(w.szRegistrar).approveRegistration(1))
        .to.be.revertedWithCustomError(w.registry, "NoticeNotOver")
        .withArgs(1n, a.noticeEndsAt);
      await expect(w.registry.connect(w.other).approveRegistration(1))
        .to.be.revertedWithCustomError(w.registry, "NotRegistrar")
        .withArgs(1n, w.other.address);
      await expect(w.registry.connect(w.szRegistrar).approveRegistration(7))
        .to.be.revertedWithCustomError(w.registry, "UnknownAsset")
        .withArgs(7n);
    });

    it("a registrar's relayed batch approval acts as the registrar", async () => {
      const w = await loadFixture(world);
      await w.registry.connect(w.holder).submitBatch([submission(), submission()]);
      await time.increase(SZ.notice);
      const registrarKey = unfunded();
      await w.registry.connect(w.admin).grantRole(await w.registry.registrarRole(SZ.id), registrarKey.address);
      const req = await signed(w, registrarKey, w.registry, "approveBatch", [[1, 2]]);
      await expect(w.forwarder.execute(dataOf(req)))
        .to.emit(w.registry, "RegistrationApproved")
        .withArgs(2n, w.holder.address, SZ.id, () => true, registrarKey.address, () => true, () => true);
    });
  });
});

