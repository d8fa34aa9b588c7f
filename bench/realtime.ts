// New blocks for the indexer benchmark's realtime and reorg measures, mined one at a time on the in-process
// Hardhat chain after generateActivity (bench/activity.ts) has deployed the contracts.
//
// setup() gives the bench its own corner of the market, mined with automine on: a registrar (exchange) with its
// venue, a settlement token with funded buyers, and a pool of approved assets, each listed for licence. Then every
// mine() sends a handful of transactions, as on a busy exchange, and mines them in one block with evm_mine:
// orders on the listings, deliveries of the orders of earlier blocks, acceptances that settle them (rights granted,
// money split), new registrations, and quality or compliance attestations. Orders move along that pipeline from
// block to block; save() and restore() carry it across evm_snapshot / evm_revert.
import { ethers } from "hardhat";
import { MaxUint256, ZeroAddress, keccak256, toUtf8Bytes } from "ethers";
import type { Deployment } from "../scripts/deploy";
import { AssetLedger__factory, DataAssetRegistry__factory, DataExchange__factory, SettlementToken__factory } from "../typechain-types";
import { rpc } from "./hardhatRpc";

const DAY = 24 * 3600;
const YEAR = 365 * DAY;
/** Explicit gas: nothing is estimated against pending state; only gas used is paid. */
const GAS = { small: 600_000, submit: 1_500_000, settle: 1_500_000 } as const;
const MAX_FEE = 1000n * 10n ** 9n;
const POOL_PER_ENTITY = 2;

export interface MinedBlock {
  number: number;
  hash: string;
  /** performance.now() just after evm_mine returned. */
  minedAt: number;
  transactions: number;
  /** Logs of the four indexed contracts in this block: what the index must hold for it. */
  events: number;
}

interface Order {
  id: number;
  seller: string;
  buyer: string;
}
/** The orders in flight; what save() returns and restore() takes back. */
export interface Pipeline {
  toDeliver: Order[];
  toAccept: Order[];
}
interface Listing {
  id: number;
  assetId: number;
  seller: string;
  price: bigint;
}
interface RpcLog {
  address: string;
  topics: string[];
  transactionHash: string;
}
interface Sent {
  hash: string;
  what: string;
  /** Called with the transaction's logs once mined. */
  done?: (logs: RpcLog[]) => void;
}

const hex = (n: number | bigint) => "0x" + n.toString(16);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)];

export class RealtimeBlocks {
  private pipeline: Pipeline = { toDeliver: [], toAccept: [] };
  private hashes = 0;

  private constructor(
    private readonly record: Deployment,
    private readonly registrarId: number,
    private readonly parties: { entities: string[]; buyers: string[]; assessor: string },
    private readonly assets: number[],
    private readonly listings: Listing[],
    /** Timestamp of the latest block: every mined block is one second later. */
    private time: number,
  ) {}

  /** Sets up the market these blocks trade in (a few dozen one-transaction blocks), then turns automine off. */
  static async setup(record: Deployment): Promise<RealtimeBlocks> {
    const signers = await ethers.getSigners();
    if (signers.length < 15) throw new Error(`the realtime blocks need 15 signers, got ${signers.length}`);
    const [admin, operator, treasury] = signers;
    const entities = signers.slice(3, 9);
    const buyers = signers.slice(9, 14);
    const assessor = signers[14];
    const address = (name: string) => record.contracts[name].address;
    const registry = DataAssetRegistry__factory.connect(address("DataAssetRegistry"), admin);
    const exchange = DataExchange__factory.connect(address("DataExchange"), admin);
    const ledger = AssetLedger__factory.connect(address("AssetLedger"), admin);
    const mined = async (tx: Promise<{ wait(): Promise<any> }>) => (await tx).wait();

    await rpc("evm_setAutomine", [true]);
    const token = await new SettlementToken__factory(admin).deploy("Realtime Yuan (bench)", "RTY", 2, admin.address);
    await token.waitForDeployment();
    const tokenAddress = await token.getAddress();
    await mined(exchange.setTokenAllowed(tokenAddress, true));
    const added = await mined(registry.addRegistrar("RTBX", DAY));
    const registrarId = Number(
      added.logs.map((l: { topics: string[]; data: string }) => registry.interface.parseLog(l)).find((e: { name: string } | null) => e?.name === "RegistrarAdded").args.registrarId,
    );
    await mined(registry.grantRole(await registry.registrarRole(registrarId), operator.address));
    await mined(exchange.setVenue(registrarId, treasury.address, 80));
    await mined(ledger.grantRole(await ledger.ASSESSOR_ROLE(), assessor.address));
    for (const b of buyers) {
      await mined(token.mint(b.address, 10n ** 30n));
      await mined(token.connect(b).approve(address("DataExchange"), MaxUint256));
    }

    const blocks = new RealtimeBlocks(record, registrarId, { entities: entities.map((e) => e.address), buyers: buyers.map((b) => b.address), assessor: assessor.address }, [], [], 0);
    const pool: { id: number; holder: (typeof entities)[number] }[] = [];
    for (const holder of entities) {
      for (let i = 0; i < POOL_PER_ENTITY; i++) {
        await mined(registry.connect(holder).submit(blocks.submission()));
        pool.push({ id: Number(await registry.assetCount()), holder });
      }
    }
    await rpc("evm_increaseTime", [DAY + 60]); // past the public notice
    for (const a of pool) await mined(registry.connect(operator).approveRegistration(a.id));
    for (const a of pool) {
      const price = BigInt(1_000 + Math.floor(Math.random() * 50_000)) * 100n;
      await mined(
        exchange.connect(a.holder).list({
          assetId: a.id,
          sellerCertId: 0,
          venueId: registrarId,
          offer: 0, // processing-use licence, any number of buyers
          token: tokenAddress,
          price,
          maxQuantity: 0,
          licenceTerm: YEAR,
          scopeHash: blocks.newHash("scope"),
          scopeMask: 0b0011,
          licenceSublicensable: false,
          licenceTransferable: false,
          merchant: ZeroAddress,
          merchantBps: 0,
          deliveryWindow: 7 * DAY,
          acceptanceWindow: 3 * DAY,
        }),
      );
      blocks.assets.push(a.id);
      blocks.listings.push({ id: Number(await exchange.listingCount()), assetId: a.id, seller: a.holder.address, price });
    }
    blocks.time = Number((await rpc("eth_getBlockByNumber", ["latest", false])).timestamp);
    await rpc("evm_setAutomine", [false]);
    return blocks;
  }

  /**
   * Sends a handful of transactions and mines them in one block. `onMined` runs as soon as the block is mined,
   * before its logs are checked; every transaction must succeed (a revert stops the bench with its name).
   */
  async mine(onMined?: (b: { number: number; hash: string; minedAt: number }) => void): Promise<MinedBlock> {
    const sent: Sent[] = [];
    const send = async (contract: string, data: string, from: string, gas: number, what: string, done?: Sent["done"]) => {
      const tx = { from, to: this.record.contracts[contract].address, data, gas: hex(gas), maxFeePerGas: hex(MAX_FEE), maxPriorityFeePerGas: "0x1" };
      sent.push({ hash: await rpc<string>("eth_sendTransaction", [tx]), what, done });
    };
    const registry = DataAssetRegistry__factory.createInterface();
    const exchange = DataExchange__factory.createInterface();
    const ledger = AssetLedger__factory.createInterface();

    // Orders of earlier blocks move on: delivered, then accepted (which settles them).
    for (const o of this.pipeline.toAccept.splice(0, 2)) {
      await send("DataExchange", exchange.encodeFunctionData("accept", [o.id]), o.buyer, GAS.settle, "exchange.accept");
    }
    for (const o of this.pipeline.toDeliver.splice(0, 2)) {
      await send("DataExchange", exchange.encodeFunctionData("deliver", [o.id, this.newHash("delivery")]), o.seller, GAS.small, "exchange.deliver", () =>
        this.pipeline.toAccept.push(o),
      );
    }
    const orders = 1 + Math.floor(Math.random() * 2);
    for (let i = 0; i < orders; i++) {
      const l = pick(this.listings);
      const buyer = pick(this.parties.buyers);
      await send("DataExchange", exchange.encodeFunctionData("order", [l.id, l.price]), buyer, GAS.small, "exchange.order", (logs) => {
        const ordered = logs.find((x) => x.topics[0] === exchange.getEvent("Ordered").topicHash)!;
        this.pipeline.toDeliver.push({ id: Number(BigInt(ordered.topics[1])), seller: l.seller, buyer });
      });
    }
    if (Math.random() < 0.5) {
      await send("DataAssetRegistry", registry.encodeFunctionData("submit", [this.submission()]), pick(this.parties.entities), GAS.submit, "registry.submit");
    }
    if (Math.random() < 0.5) {
      const assetId = pick(this.assets);
      const data =
        Math.random() < 0.5
          ? ledger.encodeFunctionData("attestCompliance", [assetId, true, this.newHash("report"), 0])
          : ledger.encodeFunctionData("attestQuality", [assetId, Array.from({ length: 6 }, () => 40 + Math.floor(Math.random() * 61)), this.newHash("report"), 0]);
      await send("AssetLedger", data, this.parties.assessor, GAS.small, "ledger.attest");
    }

    this.time += 1;
    await rpc("evm_mine", [this.time]);
    const minedAt = performance.now();
    const block = await rpc("eth_getBlockByNumber", ["latest", false]);
    const number = Number(block.number);
    onMined?.({ number, hash: block.hash, minedAt });
    if (block.transactions.length !== sent.length) throw new Error(`block ${number} holds ${block.transactions.length} of the ${sent.length} transactions sent`);

    const logs = await rpc<RpcLog[]>("eth_getLogs", [{ fromBlock: hex(number), toBlock: hex(number) }]);
    for (const s of sent) {
      const own = logs.filter((l) => l.transactionHash === s.hash);
      // Every transaction sent here emits an event when it succeeds.
      if (own.length === 0) throw new Error(`${s.what} reverted in block ${number} (${s.hash})`);
      s.done?.(own);
    }
    const indexed = new Set(Object.values(this.record.contracts).map((c) => c.address.toLowerCase()));
    const events = logs.filter((l) => indexed.has(l.address.toLowerCase())).length;
    return { number, hash: block.hash, minedAt, transactions: sent.length, events };
  }

  save(): Pipeline {
    return { toDeliver: [...this.pipeline.toDeliver], toAccept: [...this.pipeline.toAccept] };
  }

  /** After evm_revert to where save() was called. Hashes and timestamps keep counting: the new blocks differ. */
  restore(p: Pipeline): void {
    this.pipeline = { toDeliver: [...p.toDeliver], toAccept: [...p.toAccept] };
  }

  /** Turns automine back on for later users of the network. */
  async close(): Promise<void> {
    await rpc("evm_setAutomine", [true]);
  }

  private newHash(label: string): string {
    return keccak256(toUtf8Bytes(`realtime-${label}:${++this.hashes}`));
  }

  private submission() {
    return {
      contentHash: this.newHash("content"),
      metadataHash: this.newHash("metadata"),
      metadataURI: `ipfs://bafy${this.newHash("cid").slice(2, 40)}`,
      name: `Realtime sensor feed ${this.hashes}`,
      kind: 0,
      sourceType: 0,
      sourceEvidenceHash: this.newHash("evidence"),
      grade: 0,
      records: BigInt(1_000 + Math.floor(Math.random() * 5_000_000)),
      sizeBytes: BigInt(1 + Math.floor(Math.random() * 900_000)) * 1_000_000n,
      updateFrequency: 1,
      registrarId: this.registrarId,
      validityPeriod: 3 * YEAR,
      parentIds: [],
      parentSharesBps: [],
    };
  }
}
