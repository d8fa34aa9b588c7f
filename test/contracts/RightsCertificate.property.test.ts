// Model-based property test of rights validity: random sequences of registrations, grants, sublicences,
// revocations, cancellations, renewals, holding-right moves, certificate moves and time travel, run against the
// contracts and against the plain model in test/helpers/rightsModel.ts. After every step, for every certificate,
// `isValid(id, t)` must equal the model at now, at an earlier recorded time and at a future time (plus the edges
// of the touched certificate's terms), and each command must be accepted exactly when the model says so.
//
// Reproduce a failure with FC_SEED=<seed> (and FC_PATH=<path>) from the report; FC_RUNS overrides the run count,
// FC_NO_SHRINK=1 skips shrinking.
import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { BJ, DAY, SZ, World, hash, submission, world } from "../helpers/registry";
import { RightsModel, type ModelTerms } from "../helpers/rightsModel";

const HOUR = 60 * 60;
const RUNS = Number(process.env.FC_RUNS ?? 40);

// ---------------------------------------------------------------- commands

type Via = "direct" | "exchange";
type FromMode = "zero" | "now" | "past" | "future";

type Command =
  | { t: "register"; applicant: number; registrarId: number; validityDays: number; approve: boolean }
  | {
      t: "grant";
      asset: number;
      activeOnly: boolean; // pick among assets active now
      byHolder: boolean;
      via: Via;
      fromMode: FromMode;
      fromDelta: number;
      duration: number;
      kind: number;
      mask: number;
      sublicensable: boolean;
      transferable: boolean;
      to: number; // -1: the zero address
      zeroScope: boolean;
    }
  | {
      t: "sublicense";
      cert: number;
      parentPick: "any" | "usable" | "deepest"; // usable: sublicensable and valid now
      repeat: number; // sublicenses in a row, each from the previous child when it is usable
      byOwner: boolean;
      via: Via;
      fromMode: FromMode | "parentFrom";
      fromDelta: number;
      untilMode: "inside" | "parentEnd" | "beyond";
      untilDelta: number;
      widenScope: boolean;
      flipKind: boolean;
      otherAsset: boolean;
      mask: number;
      sublicensable: boolean;
      transferable: boolean;
      to: number;
    }
  | {
      t: "revoke";
      cert: number;
      withChildren: boolean; // pick among certificates that have sublicences
      by: "grantor" | "registrar" | "otherRegistrar" | "stranger";
      longReason: boolean;
    }
  | { t: "cancel"; asset: number; by: "holder" | "registrar" | "stranger" }
  | { t: "renew"; asset: number; extendDays: number; wrongRegistrar: boolean }
  | { t: "moveHolding"; asset: number; to: number }
  | { t: "moveCert"; cert: number; to: number }
  | { t: "advance"; seconds: number };

interface Step {
  cmd: Command;
  pastProbe: number; // picks an earlier recorded timestamp
  ahead: number; // seconds past now for the future probe
}

const ACTORS = 6;
const actorArb = fc.nat({ max: ACTORS - 1 });
const viaArb = fc.constantFrom<Via>("direct", "direct", "exchange");
const fromModeArb = fc.oneof(
  { weight: 10, arbitrary: fc.constant<FromMode>("zero") },
  { weight: 3, arbitrary: fc.constant<FromMode>("now") },
  { weight: 1, arbitrary: fc.constant<FromMode>("past") },
  { weight: 4, arbitrary: fc.constant<FromMode>("future") },
);

const registerArb = fc.record({
  t: fc.constant("register" as const),
  applicant: actorArb,
  registrarId: fc.constantFrom(SZ.id, BJ.id),
  validityDays: fc.integer({ min: 30, max: 400 }),
  approve: fc.constant(true),
});

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant("register" as const),
      applicant: actorArb,
      registrarId: fc.constantFrom(SZ.id, BJ.id),
      validityDays: fc.integer({ min: 30, max: 730 }),
      approve: fc.constantFrom(true, true, true, true, true, true, false),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant("grant" as const),
      asset: fc.nat(),
      activeOnly: fc.constantFrom(true, true, true, false),
      byHolder: fc.constantFrom(true, true, true, true, true, true, true, false),
      via: viaArb,
      fromMode: fromModeArb,
      fromDelta: fc.integer({ min: 1, max: 60 * DAY }),
      duration: fc.oneof(
        { weight: 15, arbitrary: fc.integer({ min: HOUR, max: 500 * DAY }) },
        { weight: 1, arbitrary: fc.integer({ min: -DAY, max: 0 }) },
      ),
      kind: fc.nat({ max: 1 }),
      mask: fc.nat({ max: 15 }),
      sublicensable: fc.constantFrom(true, true, false),
      transferable: fc.boolean(),
      to: fc.oneof({ weight: 25, arbitrary: actorArb }, { weight: 1, arbitrary: fc.constant(-1) }), // -1: zero address
      zeroScope: fc.oneof({ weight: 25, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant("sublicense" as const),
      cert: fc.nat(),
      parentPick: fc.constantFrom<"any" | "usable" | "deepest">("any", "usable", "usable", "deepest", "deepest"),
      repeat: fc.oneof(
        { weight: 6, arbitrary: fc.constant(1) },
        { weight: 2, arbitrary: fc.integer({ min: 2, max: 4 }) },
        { weight: 1, arbitrary: fc.integer({ min: 5, max: 10 }) },
      ),
      byOwner: fc.constantFrom(true, true, true, true, true, true, true, false),
      via: viaArb,
      fromMode: fc.oneof(
        { weight: 10, arbitrary: fc.constant<FromMode | "parentFrom">("zero") },
        { weight: 2, arbitrary: fc.constant<FromMode | "parentFrom">("now") },
        { weight: 1, arbitrary: fc.constant<FromMode | "parentFrom">("past") },
        { weight: 3, arbitrary: fc.constant<FromMode | "parentFrom">("future") },
        { weight: 1, arbitrary: fc.constant<FromMode | "parentFrom">("parentFrom") },
      ),
      fromDelta: fc.integer({ min: 1, max: 30 * DAY }),
      untilMode: fc.constantFrom<"inside" | "parentEnd" | "beyond">("inside", "inside", "inside", "inside", "parentEnd", "parentEnd", "beyond"),
      untilDelta: fc.integer({ min: 0, max: 200 * DAY }),
      widenScope: fc.oneof({ weight: 7, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      flipKind: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      otherAsset: fc.oneof({ weight: 15, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      mask: fc.nat({ max: 15 }),
      sublicensable: fc.constantFrom(true, true, false),
      transferable: fc.boolean(),
      to: actorArb,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant("revoke" as const),
      cert: fc.nat(),
      withChildren: fc.boolean(),
      by: fc.constantFrom<"grantor" | "registrar" | "otherRegistrar" | "stranger">(
        "grantor",
        "grantor",
        "registrar",
        "otherRegistrar",
        "stranger",
      ),
      longReason: fc.constantFrom(false, false, false, false, false, false, true),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant("cancel" as const),
      asset: fc.nat(),
      by: fc.constantFrom<"holder" | "registrar" | "stranger">("holder", "registrar", "stranger"),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant("renew" as const),
      asset: fc.nat(),
      extendDays: fc.oneof(
        { weight: 6, arbitrary: fc.integer({ min: 1, max: 400 }) },
        { weight: 1, arbitrary: fc.integer({ min: -30, max: 0 }) },
        { weight: 1, arbitrary: fc.integer({ min: 3600, max: 4000 }) },
      ),
      wrongRegistrar: fc.constantFrom(false, false, false, false, true),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("moveHolding" as const), asset: fc.nat(), to: actorArb }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("moveCert" as const), cert: fc.nat(), to: actorArb }) },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant("advance" as const),
      seconds: fc.oneof(
        { weight: 3, arbitrary: fc.integer({ min: HOUR, max: 2 * DAY }) },
        { weight: 3, arbitrary: fc.integer({ min: 2 * DAY, max: 30 * DAY }) },
        { weight: 2, arbitrary: fc.integer({ min: 30 * DAY, max: 180 * DAY }) },
      ),
    }),
  },
);

const stepArb = (cmd: fc.Arbitrary<Command>) =>
  fc.record({ cmd, pastProbe: fc.nat(), ahead: fc.integer({ min: 1, max: 200 * DAY }) });

/** A run: one approved registration to start from, then 8 to 28 random commands. */
const scenarioArb = fc
  .tuple(stepArb(registerArb), fc.array(stepArb(commandArb), { minLength: 8, maxLength: 28 }))
  .map(([first, rest]) => [first, ...rest]);

// ---------------------------------------------------------------- runner

type Outcome = { ok: true } | { ok: false; error: string };

class Runner {
  readonly model: RightsModel;
  readonly assetIds: bigint[] = [];
  readonly history: number[] = [];
  now = 0;
  readonly actors: HardhatEthersSigner[];
  readonly stranger: HardhatEthersSigner;
  /** What happened so far, printed when an assertion fails. */
  readonly log: string[] = [];

  constructor(readonly w: World) {
    this.actors = [w.holder, w.other, w.licensee, w.objector, w.signers[8], w.signers[9]];
    this.stranger = w.signers[10];
    this.model = new RightsModel(
      new Map([
        [SZ.id, new Set([w.szRegistrar.address])],
        [BJ.id, new Set([w.bjRegistrar.address])],
      ]),
    );
  }

  async init() {
    this.now = await time.latest();
    this.history.push(this.now);
  }

  signerOf(address: string): HardhatEthersSigner {
    const all = [...this.actors, this.stranger, this.w.szRegistrar, this.w.bjRegistrar, this.w.exchange];
    const s = all.find((x) => x.address.toLowerCase() === address.toLowerCase());
    if (!s) throw new Error(`no signer for ${address}`);
    return s;
  }

  registrarSigner(registrarId: number) {
    return registrarId === SZ.id ? this.w.szRegistrar : this.w.bjRegistrar;
  }

  /** Sends one transaction in a block at `at` (default: one second after the last block); refusals mine too. */
  async send(fn: () => Promise<unknown>, at = this.now + 1): Promise<Outcome> {
    await time.setNextBlockTimestamp(at);
    let outcome: Outcome;
    try {
      const tx = (await fn()) as { wait(): Promise<unknown> };
      await tx.wait();
      outcome = { ok: true };
    } catch (e: unknown) {
      outcome = { ok: false, error: this.decode(e) };
    }
    this.now = await time.latest();
    expect(this.now, "every transaction mines one block at the chosen time").to.equal(at);
    this.history.push(this.now);
    return outcome;
  }

  decode(e: unknown): string {
    const data = (e as { data?: string }).data;
    if (typeof data === "string" && data.length >= 10) {
      for (const iface of [this.w.rights.interface, this.w.registry.interface]) {
        const parsed = iface.parseError(data);
        if (parsed) return parsed.name;
      }
    }
    return `undecoded: ${(e as Error).message}`;
  }

  /** The contract accepted exactly when nothing in `broken` applies, else refused with one of `broken`. */
  expectOutcome(what: string, broken: string[], outcome: Outcome) {
    const got = outcome.ok ? "accepted" : `refused ${outcome.error}`;
    this.log.push(`${what}: model ${broken.length ? `refuses [${broken.join(", ")}]` : "accepts"}, contract ${got}`);
    if (broken.length === 0) {
      expect(outcome.ok, `${what} should be accepted but was ${got}\n${this.trace()}`).to.equal(true);
    } else {
      expect(outcome.ok, `${what} should be refused with one of ${broken.join(", ")}\n${this.trace()}`).to.equal(false);
      expect(broken, `${what}: unexpected error\n${this.trace()}`).to.include((outcome as { error: string }).error);
    }
  }

  trace() {
    return this.log.map((l, i) => `  ${i}. ${l}`).join("\n");
  }

  pick<T>(list: T[], index: number): T | undefined {
    return list.length === 0 ? undefined : list[index % list.length];
  }

  // ------------------------------------------------------------ commands

  async register(c: Extract<Command, { t: "register" }>) {
    const applicant = this.actors[c.applicant];
    const s = submission({ registrarId: c.registrarId, validityPeriod: c.validityDays * DAY });
    const submitted = await this.send(() => this.w.registry.connect(applicant).submit(s));
    expect(submitted.ok, `submit: ${JSON.stringify(submitted)}`).to.equal(true);
    const assetId = await this.w.registry.assetCount();
    this.assetIds.push(assetId);
    if (!c.approve) {
      this.model.addInNotice(assetId, c.registrarId, applicant.address);
      this.log.push(`register asset ${assetId} (left in notice)`);
      return;
    }
    const { noticeEndsAt } = await this.w.registry.assetOf(assetId);
    const approved = await this.send(
      () => this.w.registry.connect(this.registrarSigner(c.registrarId)).approveRegistration(assetId),
      Number(noticeEndsAt),
    );
    expect(approved.ok, `approve: ${JSON.stringify(approved)}`).to.equal(true);
    this.model.addApproved(assetId, c.registrarId, applicant.address, this.now, c.validityDays * DAY);
    this.log.push(`register asset ${assetId} by actor ${c.applicant}, approved at ${this.now}, ${c.validityDays} days`);
  }

  fromOf(mode: FromMode, delta: number, T: number): number {
    switch (mode) {
      case "zero":
        return 0;
      case "now":
        return T;
      case "past":
        return T - delta;
      case "future":
        return T + delta;
    }
  }

  async issue(what: string, grantor: string, terms: ModelTerms, to: string, via: Via) {
    const T = this.now + 1;
    const broken = this.model.checkGrant(grantor, terms, to, T);
    const outcome = await this.send(() =>
      via === "exchange"
        ? this.w.rights.connect(this.w.exchange).grantFor(grantor, terms, to)
        : this.w.rights.connect(this.signerOf(grantor)).grant(terms, to),
    );
    this.expectOutcome(`${what} ${JSON.stringify(terms, (_, v) => (typeof v === "bigint" ? `${v}` : v))} via ${via}`, broken, outcome);
    if (!outcome.ok) return undefined;
    const id = BigInt(this.model.certs.size + 1);
    const c = this.model.applyGrant(id, grantor, terms, to, T, via === "exchange");
    const r = await this.w.rights.rightOf(id);
    expect([r.validFrom, r.validUntil, r.depth, r.parentId, r.grantor, r.revokedAt, r.issuedByExchange]).to.deep.equal([
      BigInt(c.validFrom),
      BigInt(c.validUntil),
      BigInt(c.depth),
      c.parentId,
      c.issuedByExchange ? ethers.ZeroAddress : c.grantor, // a paid licence's seller is in its RightGranted event
      0n,
      c.issuedByExchange,
    ]);
    expect(await this.w.rights.ownerOf(id)).to.equal(to);
    return id;
  }

  async grant(c: Extract<Command, { t: "grant" }>) {
    const T = this.now + 1;
    const active = this.assetIds.filter((id) => this.model.assetActive(id, T));
    const assetId = this.pick(c.activeOnly && active.length ? active : this.assetIds, c.asset);
    if (assetId === undefined) return;
    const a = this.model.assets.get(assetId)!;
    const grantor = c.byHolder && a.approvedAt !== 0 ? a.holder : this.stranger.address;
    const validFrom = this.fromOf(c.fromMode, c.fromDelta, T);
    const terms: ModelTerms = {
      assetId,
      parentId: 0n,
      kind: c.kind,
      scopeHash: c.zeroScope ? ethers.ZeroHash : hash("scope"),
      scopeMask: c.mask,
      validFrom,
      validUntil: (validFrom === 0 ? T : validFrom) + c.duration,
      sublicensable: c.sublicensable,
      transferable: c.transferable,
    };
    const to = c.to === -1 ? ethers.ZeroAddress : this.actors[c.to].address;
    return this.issue("grant", grantor, terms, to, c.via);
  }

  async sublicense(c: Extract<Command, { t: "sublicense" }>) {
    const T = this.now + 1;
    const ids = [...this.model.certs.keys()];
    const usable = ids.filter((id) => this.model.certs.get(id)!.sublicensable && this.model.valid(id, T));
    let parentId: bigint | undefined;
    if (c.parentPick === "any" || usable.length === 0) parentId = this.pick(ids, c.cert);
    else if (c.parentPick === "usable") parentId = this.pick(usable, c.cert);
    else parentId = usable.reduce((x, y) => (this.model.certs.get(y)!.depth > this.model.certs.get(x)!.depth ? y : x));
    let last: bigint | undefined;
    for (let i = 0; i < c.repeat && parentId !== undefined; i++) {
      // links before the last of a chain stay sublicensable so the chain can grow (towards MAX_DEPTH)
      const child = await this.sublicenseOnce(i < c.repeat - 1 ? { ...c, sublicensable: true } : c, parentId);
      last = child ?? last;
      if (child === undefined || !this.model.certs.get(child)!.sublicensable) break;
      parentId = child;
    }
    return last;
  }

  async sublicenseOnce(c: Extract<Command, { t: "sublicense" }>, parentId: bigint) {
    const p = this.model.certs.get(parentId)!;
    const T = this.now + 1;
    const validFrom = c.fromMode === "parentFrom" ? p.validFrom : this.fromOf(c.fromMode, c.fromDelta, T);
    const start = validFrom === 0 ? T : validFrom;
    const validUntil =
      c.untilMode === "parentEnd"
        ? p.validUntil
        : c.untilMode === "beyond"
          ? p.validUntil + 1 + c.untilDelta
          : Math.max(start + 1, p.validUntil - c.untilDelta); // inside unless the parent ends before the start
    let assetId = p.assetId;
    if (c.otherAsset) {
      assetId = this.assetIds.find((x) => x !== p.assetId) ?? 999n;
    }
    const terms: ModelTerms = {
      assetId,
      parentId,
      kind: c.flipKind ? 1 - p.kind : p.kind,
      scopeHash: hash("subscope"),
      scopeMask: c.widenScope ? c.mask | (~p.scopeMask & 0xf) | 0x10 : c.mask & p.scopeMask,
      validFrom,
      validUntil,
      sublicensable: c.sublicensable,
      transferable: c.transferable,
    };
    const grantor = c.byOwner ? p.owner : this.stranger.address;
    return this.issue(`sublicense of ${parentId}`, grantor, terms, this.actors[c.to].address, c.via);
  }

  async revoke(c: Extract<Command, { t: "revoke" }>) {
    const ids = [...this.model.certs.keys()];
    const parents = [...new Set([...this.model.certs.values()].map((x) => x.parentId).filter((x) => x !== 0n))];
    const certId = this.pick(c.withChildren && parents.length ? parents : ids, c.cert);
    if (certId === undefined) return;
    const cert = this.model.certs.get(certId)!;
    const registrarId = this.model.assets.get(cert.assetId)!.registrarId;
    const caller =
      c.by === "grantor"
        ? this.signerOf(cert.grantor)
        : c.by === "registrar"
          ? this.registrarSigner(registrarId)
          : c.by === "otherRegistrar"
            ? this.registrarSigner(registrarId === SZ.id ? BJ.id : SZ.id)
            : this.stranger;
    const reason = c.longReason ? "r".repeat(513) : "terms breached";
    const broken = this.model.checkRevoke(caller.address, certId, Buffer.byteLength(reason));
    const outcome = await this.send(() => this.w.rights.connect(caller).revoke(certId, reason));
    this.expectOutcome(`revoke ${certId} by ${c.by}`, broken, outcome);
    if (outcome.ok) {
      this.model.applyRevoke(certId, this.now);
      expect((await this.w.rights.rightOf(certId)).revokedAt).to.equal(BigInt(this.now));
    }
    return certId;
  }

  async cancel(c: Extract<Command, { t: "cancel" }>) {
    const assetId = this.pick(this.assetIds, c.asset);
    if (assetId === undefined) return;
    const a = this.model.assets.get(assetId)!;
    const caller =
      c.by === "holder"
        ? this.signerOf(a.approvedAt !== 0 ? a.holder : a.applicant)
        : c.by === "registrar"
          ? this.registrarSigner(a.registrarId)
          : this.stranger;
    const broken = this.model.checkCancel(caller.address, assetId);
    const outcome = await this.send(() => this.w.registry.connect(caller).cancel(assetId, "注销"));
    this.expectOutcome(`cancel asset ${assetId} by ${c.by}`, broken, outcome);
    if (outcome.ok) this.model.applyCancel(assetId, this.now);
  }

  async renew(c: Extract<Command, { t: "renew" }>) {
    const assetId = this.pick(this.assetIds, c.asset);
    if (assetId === undefined) return;
    const a = this.model.assets.get(assetId)!;
    const registrarId = c.wrongRegistrar ? (a.registrarId === SZ.id ? BJ.id : SZ.id) : a.registrarId;
    const caller = this.registrarSigner(registrarId);
    const newValidUntil = Math.max(0, a.validUntil + c.extendDays * DAY);
    const T = this.now + 1;
    const broken = this.model.checkRenew(caller.address, assetId, newValidUntil, T);
    const outcome = await this.send(() => this.w.registry.connect(caller).renew(assetId, newValidUntil));
    this.expectOutcome(`renew asset ${assetId} to ${newValidUntil}`, broken, outcome);
    if (outcome.ok) this.model.applyRenew(assetId, newValidUntil);
  }

  async moveHolding(c: Extract<Command, { t: "moveHolding" }>) {
    const assetId = this.pick(this.assetIds, c.asset);
    if (assetId === undefined) return;
    const a = this.model.assets.get(assetId)!;
    const to = this.actors[c.to].address;
    const broken = this.model.checkHoldingTransfer(assetId, to, this.now + 1);
    const outcome = await this.send(() =>
      this.w.registry.connect(this.w.exchange).transferByExchange(assetId, a.holder, to, 1n),
    );
    this.expectOutcome(`move holding of asset ${assetId} to actor ${c.to}`, broken, outcome);
    if (outcome.ok) this.model.applyHoldingTransfer(assetId, to);
  }

  async moveCert(c: Extract<Command, { t: "moveCert" }>) {
    const certId = this.pick([...this.model.certs.keys()], c.cert);
    if (certId === undefined) return;
    const cert = this.model.certs.get(certId)!;
    const to = this.actors[c.to].address;
    const broken = this.model.checkCertTransfer(certId, this.now + 1);
    const outcome = await this.send(() =>
      this.w.rights.connect(this.signerOf(cert.owner)).transferFrom(cert.owner, to, certId),
    );
    this.expectOutcome(`move certificate ${certId} to actor ${c.to}`, broken, outcome);
    if (outcome.ok) this.model.applyCertTransfer(certId, to);
    expect(await this.w.rights.ownerOf(certId)).to.equal(this.model.certs.get(certId)!.owner);
    return certId;
  }

  async advance(c: Extract<Command, { t: "advance" }>) {
    await time.increaseTo(this.now + c.seconds);
    this.now = await time.latest();
    this.history.push(this.now);
    this.log.push(`advance ${c.seconds}s to ${this.now}`);
  }

  async run(c: Command): Promise<bigint | undefined> {
    switch (c.t) {
      case "register":
        await this.register(c);
        return undefined;
      case "grant":
        return this.grant(c);
      case "sublicense":
        return this.sublicense(c);
      case "revoke":
        return this.revoke(c);
      case "cancel":
        await this.cancel(c);
        return undefined;
      case "renew":
        await this.renew(c);
        return undefined;
      case "moveHolding":
        await this.moveHolding(c);
        return undefined;
      case "moveCert":
        return this.moveCert(c);
      case "advance":
        await this.advance(c);
        return undefined;
    }
  }

  // ------------------------------------------------------------ the property

  async checkValidity(times: (id: bigint) => number[]) {
    expect(await this.w.rights.certificateCount()).to.equal(BigInt(this.model.certs.size));
    for (const id of this.model.certs.keys()) {
      for (const t of times(id)) {
        const onChain = await this.w.rights.isValid(id, t);
        const expected = this.model.valid(id, t);
        if (onChain !== expected) {
          const chain: string[] = [];
          for (let c = this.model.certs.get(id); c; c = c.parentId ? this.model.certs.get(c.parentId) : undefined) {
            chain.push(JSON.stringify(c, (_, v) => (typeof v === "bigint" ? `${v}` : v)));
          }
          const asset = this.model.assets.get(this.model.certs.get(id)!.assetId)!;
          expect.fail(
            `isValid(${id}, ${t}) is ${onChain}, model says ${expected} (now ${this.now})\n` +
              `certificate chain: ${chain.join("\n  <- ")}\nasset: ${JSON.stringify(asset, (_, v) => (typeof v === "bigint" ? `${v}` : v))}\n` +
              this.trace(),
          );
        }
      }
    }
  }
}

describe("RightsCertificate (model-based property)", () => {
  it("isValid and every accept/refuse decision match the rights model", async () => {
    let steps = 0;
    let probes = 0;
    const outcomes = { accepted: 0, refused: 0 };
    const stats = new Map<string, number>();
    let maxDepth = 0;
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario: Step[]) => {
        const w = await loadFixture(world); // reverts to the fixture's snapshot: every run starts clean
        const r = new Runner(w);
        await r.init();
        for (const step of scenario) {
          const before = r.log.length;
          const touched = await r.run(step.cmd);
          for (const line of r.log.slice(before)) {
            if (process.env.FC_STATS) {
              for (const c of r.model.certs.values()) maxDepth = Math.max(maxDepth, c.depth);
              const key = line.split(" ")[0] + " " + (line.match(/contract (accepted|refused \w+)/)?.[1] ?? "-");
              stats.set(key, (stats.get(key) ?? 0) + 1);
            }
            if (line.includes("contract accepted")) outcomes.accepted++;
            if (line.includes("contract refused")) outcomes.refused++;
          }
          steps++;
          const past = r.history[step.pastProbe % r.history.length];
          const future = r.now + step.ahead;
          await r.checkValidity((id) => {
            const times = [r.now, past, future];
            if (id === touched) times.push(...r.model.boundaries(id));
            probes += times.length;
            return times;
          });
        }
        // every edge of every certificate's, ancestor's and asset's terms, once per run
        await r.checkValidity((id) => {
          const times = r.model.boundaries(id);
          probes += times.length;
          return times;
        });
      }),
      {
        numRuns: RUNS,
        seed: process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined,
        path: process.env.FC_PATH,
        endOnFailure: !!process.env.FC_NO_SHRINK,
      },
    );
    console.log(
      `      ${RUNS} runs, ${steps} steps, ${probes} isValid probes, ` +
        `${outcomes.accepted} commands accepted, ${outcomes.refused} refused`,
    );
    if (process.env.FC_STATS) console.log(`      deepest sublicence: ${maxDepth}`);
    if (process.env.FC_STATS) console.log([...stats.entries()].sort().map(([k, v]) => `      ${k}: ${v}`).join("\n"));
  });
});
