// dal: the command-line tool of the data asset registry and ledger, for exchanges, holders, buyers, assessors,
// appraisers and accountants. This file declares the commands and their flags, dispatches, and turns every
// outcome into an exit code (exit.ts). Command modules load on demand, so `--help` stays quick.
import { Argument, Command, CommanderError, Option } from "commander";
import {
  AssetKind,
  Category,
  CostPhase,
  CostSource,
  DerecognitionReason,
  Grade,
  Offer,
  RightKind,
  SourceType,
  UpdateFrequency,
  ValuationMethod,
} from "../../indexer/enums";
import { DalError, EXIT, EXIT_HELP, type ExitCode } from "./exit";
import { kebab } from "./parse";
import { Session, type GlobalOptions } from "./session";

const ENVIRONMENT_HELP = `Environment:
  RPC_URL                JSON-RPC endpoint (default http://127.0.0.1:8545)
  DEPLOYMENT             deployment record (default deployments/<chain id>.json, as scripts/deploy.ts writes it)
  API_URL                GraphQL API for reports, provenance and verify (default http://127.0.0.1:4000)
  DAL_PRIVATE_KEY        signing key for commands that write (hex)
  DAL_KEYSTORE           encrypted JSON keystore instead of DAL_PRIVATE_KEY (or --keystore <file>)
  DAL_KEYSTORE_PASSWORD  its password; without it, dal asks on a terminal
  DAL_TOKEN              settlement token when --token/--currency is not given (else the deployment record's
                         SettlementToken, else the one token the exchange allows)
  DAL_DEBUG=1            print the full error of an unexpected failure

Keys are never taken from the command line: arguments are visible to every user in the process list and stay in
shell history, so --private-key is refused.

Amounts are decimals in whole tokens (1234.50), converted exactly with the token's decimals; more decimal places
than the token has is an error, never rounded. Dates are YYYY-MM-DD in China Standard Time (UTC+8).`;

const choicesOf = (names: readonly string[]) => names.map(kebab);
const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

type Action = (session: Session, ...args: any[]) => Promise<number | void>;

/** Wraps a command module's function: a session per run, closed however the command ends. */
function run(load: () => Promise<Action>): (...args: any[]) => Promise<void> {
  return async (...args: any[]) => {
    const cmd = args[args.length - 1] as Command;
    const session = new Session(cmd.optsWithGlobals<GlobalOptions>());
    try {
      const code = await (await load())(session, ...args.slice(0, -1));
      if (typeof code === "number") exitCode = code as ExitCode;
    } catch (err) {
      const { SignedRequestWritten } = await import("./relayed");
      if (!(err instanceof SignedRequestWritten)) throw err;
      session.facts(err.facts()); // --sign: the command's transaction was signed into a file, as asked
    } finally {
      await session.close();
    }
  };
}

let exitCode: ExitCode = EXIT.OK;

function program(): Command {
  const dal = new Command("dal")
    .description("Register, verify, license, trade, attest and account for data assets on the registry and ledger contracts.")
    .option("--json", "print results as JSON")
    .option("--keystore <file>", "sign with this encrypted JSON keystore (password: DAL_KEYSTORE_PASSWORD or a prompt)")
    .option("--sign <file>", "do not send: sign the command's transaction as a relayed (EIP-712) request into <file>, for `dal relay` or the relay service; needs no gas funds")
    .option("--sign-nonce <n>", "with --sign-chain-id: sign offline, with this forwarder nonce (the signer's count of relayed requests)")
    .option("--sign-chain-id <id>", "with --sign-nonce: sign offline for this chain (DEPLOYMENT or deployments/<id>.json gives the addresses)")
    .option("--sign-valid-hours <h>", "hours the signed request stays valid (default 24)")
    .option("--sign-gas <n>", "gas the relayer forwards with the request (default 2000000; the relayer pays only what is used)")
    .exitOverride()
    .showHelpAfterError("(dal <command> --help shows its flags)")
    .addHelpText("after", `\n${ENVIRONMENT_HELP}\n\n${EXIT_HELP}\n`);

  dal
    .command("register")
    .description("hash a file or directory locally and submit its registration (starts the public notice); or a whole catalogue with --manifest")
    .argument("[path]", "file, or directory (hashed as a Merkle root over its files)")
    .option("--manifest <catalogue.csv>", "register every row of a CSV catalogue in batches (columns below); resumes where it stopped")
    .option("--batch-size <n>", "with --manifest: registrations per transaction (1-200)", "50")
    .option("--sign-dir <dir>", "with --manifest: do not send; sign each batch as a relayed request into <dir> for `dal relay`")
    .option("--name <text>", "name of the data resource or product (default: metadata name, else the file name)")
    .addOption(new Option("--kind <kind>", "resource (数据资源) or product (数据产品)").choices(choicesOf(AssetKind)).default("resource"))
    .addOption(new Option("--source <source>", "how it was obtained").choices(choicesOf(SourceType)).default("self-collected"))
    .option("--source-evidence <file|hash>", "evidence of lawful source (authorisation, purchase contract)")
    .addOption(new Option("--grade <grade>", "classification grade (core data is refused)").choices(choicesOf(Grade)).default("general"))
    .option("--registrar <id>", "registrar (exchange) to register with", "1")
    .option("--validity-days <n>", "validity of the certificate from approval", "1095")
    .option("--records <n>", "number of records (default 0)")
    .option("--size <bytes>", "size in bytes (default: the bytes hashed)")
    .addOption(new Option("--update <frequency>", "update frequency").choices(choicesOf(UpdateFrequency)).default("once"))
    .option("--metadata-uri <uri>", "where the metadata document is published", "")
    .option("--metadata <json file>", "metadata document; its SHA-256 goes on chain (default: a generated document, printed)")
    .option("--parent <id:bps>", "a source asset and its share of net revenue in bps (repeat for several)", collect)
    .addHelpText(
      "after",
      `
Content hash: a file is SHA-256 of its bytes. A directory is the "dal-merkle-v1" root: every regular file under it
(hidden ones too; symbolic links refused), named by its relative path with "/" separators and sorted by the UTF-8
bytes of that path; leaf = SHA-256(0x00 || path || 0x00 || SHA-256(content)); node = SHA-256(0x01 || left || right),
pairing left to right, an odd last node promoted unchanged, until one root is left.

Manifest (--manifest catalogue.csv): UTF-8 CSV with a header row; only "path" is required, other columns override
the flags for their row: path (file or directory, relative to the CSV's folder), name, kind, source, grade, records,
update, validity_days, metadata_uri, parents ("id:bps" pairs separated by ";"). Progress and results are kept in
<catalogue.csv>.dal-state.json: a rerun hashes and submits only what is not yet registered, and finds on the chain
what an interrupted run submitted. Each batch is one submitBatch transaction, all or nothing: a refused row is named
with its line, and nothing of its batch is registered.`,
    )
    .action(run(async () => (await import("./registry")).register));

  dal
    .command("sign")
    .description("sign a command's transaction as a relayed (EIP-712) request into <file> instead of sending it: `dal sign <file> <command> [args...]`, the same as `dal --sign <file> <command> ...`")
    .argument("<file>", "where the signed request goes (never overwritten)")
    .argument("<command...>", "the dal command and its arguments, e.g. register data/ --name \"…\"")
    .action(() => {
      throw new DalError(EXIT.USAGE, "give the command to sign after the file: dal sign request.json register data/ --name \"…\"");
    });

  dal
    .command("relay")
    .description(
      "relayer: check signed requests (from `dal --sign`) and submit the valid ones in forwarder executeBatch transactions (as few as fit in blocks), paying the gas; " +
        "reports each request's outcome (exit 0 all executed, 5 some refused or reverted, 8 none sent)",
    )
    .argument("<files...>", "signed request files (dal-relay-request-v1 JSON)")
    .option("--dry-run", "check each request (signature, nonce, deadline, a simulated call) and send nothing")
    .action(run(async () => (await import("./relayed")).relay));

  dal
    .command("verify")
    .description(
      "recompute a file's or directory's hash and check it against the asset's registered versions, and say the registration's status " +
        "(exit 0 match on a registration in force, 9 match but not in force: in notice, rejected, cancelled or expired; 1 mismatch)",
    )
    .argument("<assetId>", "asset id")
    .argument("<path>", "file or directory (or a 0x content hash)")
    .option("--chain-only", "ask the registry on the chain (RPC_URL) only, never the API")
    .action(run(async () => (await import("./verify")).verify));

  dal
    .command("approve")
    .description("registrar: approve a registration after its public notice (issues the certificate), or --all-due")
    .argument("[assetId]", "asset id (or --all-due)")
    .option("--all-due", "approve every registration of your registrar(s) whose notice has ended and that has no open objection")
    .option("--registrar <id>", "with --all-due: only this registrar's (default: every registrar your key operates)")
    .option("--dry-run", "with --all-due: list what is due and what is skipped, send nothing")
    .option("--chain-only", "with --all-due: find the registrations from the chain's events, never the API")
    .addHelpText(
      "after",
      `
--all-due lists the registrar's registrations in notice from the API (API_URL), or from the chain's
RegistrationSubmitted events with --chain-only or when the API does not answer; then reads each from the registry
itself, which decides (the index may lag). Due: in notice, its notice ended by the chain's clock, no open objection.
Each due one is approved in its own transaction, with a progress line on stderr; the summary lists every one
approved (registration number, tx), skipped with the reason (still in notice until when; open objections, with
their ids), or failed with the decoded refusal. A refusal of one does not stop the others; the exit code is that of
the first failure (0 if none). A key that operates no registrar sends nothing (exit 8).`,
    )
    .action(run(async () => (await import("./registry")).approve));

  dal
    .command("reject")
    .description("registrar: reject a registration in notice, with a reason (ends it; its content may be registered again)")
    .argument("<assetId>", "asset id")
    .requiredOption("--reason <text>", "why (recorded on chain)")
    .action(run(async () => (await import("./registry")).reject));

  dal
    .command("object")
    .description("object to a registration during its public notice")
    .argument("<assetId>", "asset id")
    .requiredOption("--evidence <file|hash>", "evidence of the objection (hashed locally)")
    .action(run(async () => (await import("./registry")).object));

  const objection = dal.command("objection").description("registrar: resolve an objection (uphold: the registration is rejected; dismiss: it may be approved)");
  for (const [verb, what] of [
    ["uphold", "uphold an objection: the registration in notice is rejected"],
    ["dismiss", "dismiss an objection: it no longer blocks approval"],
  ] as const) {
    objection
      .command(verb)
      .description(`registrar: ${what}`)
      .argument("[objectionId]", "the objection's id (dal object prints it)")
      .option("--asset <assetId>", "name the asset instead, when it has exactly one open objection")
      .requiredOption("--resolution <file|hash>", "the ruling's document (hashed locally; its hash goes on chain)")
      .addHelpText(
        "after",
        `
Name the objection by its id, or its asset with --asset when the asset has exactly one open objection. With several
open objections each needs its own ruling: dal lists them (id and objector) and asks for an id (exit 2).`,
      )
      .action(run(async () => (await import("./objection"))[verb]));
  }

  dal
    .command("add-version")
    .description("holder: register new content (file or directory, hashed as register does) superseding the current version")
    .argument("<assetId>", "asset id")
    .argument("<path>", "file, or directory (hashed as a Merkle root over its files)")
    .option("--metadata <json file>", "metadata document of this version; its SHA-256 goes on chain (default: a generated document, printed)")
    .action(run(async () => (await import("./registry")).addVersion));

  const transfer = dal
    .command("transfer")
    .description("move the holding right (registration certificate): the holder requests, the registrar approves what it reviewed");
  transfer
    .command("request")
    .description("holder: ask the registrar to transfer the holding right to a recipient, with evidence")
    .argument("<assetId>", "asset id")
    .requiredOption("--to <address>", "the recipient")
    .requiredOption("--evidence <file|hash>", "evidence for the transfer, e.g. the contract (hashed locally)")
    .action(run(async () => (await import("./transfer")).request));
  transfer
    .command("show")
    .description("the holder and the pending transfer request, as the registry holds them (for the registrar's review)")
    .argument("<assetId>", "asset id")
    .action(run(async () => (await import("./transfer")).show));
  transfer
    .command("approve")
    .description("registrar: carry out the pending request, naming the recipient and evidence reviewed (refused if they differ)")
    .argument("<assetId>", "asset id")
    .requiredOption("--to <address>", "the recipient the request names")
    .requiredOption("--evidence <file|hash>", "the evidence reviewed (the same file, or its hash)")
    .action(run(async () => (await import("./transfer")).approve));
  transfer
    .command("cancel")
    .description("holder: withdraw the pending transfer request")
    .argument("<assetId>", "asset id")
    .action(run(async () => (await import("./transfer")).cancel));

  dal
    .command("renew")
    .description("registrar: extend an unexpired registration (续证), at most 10 years from now")
    .argument("<assetId>", "asset id")
    .requiredOption("--until <date>", "new last day of validity (valid through its end, UTC+8)")
    .action(run(async () => (await import("./registry")).renew));

  dal
    .command("cancel")
    .description(
      "cancel a registration (注销): its holder or registrar once approved (the holder not while a licence sold on the exchange runs), " +
        "or its applicant during the notice (withdrawal)",
    )
    .argument("<assetId>", "asset id")
    .requiredOption("--reason <text>", "why (recorded on chain)")
    .action(run(async () => (await import("./registry")).cancel));

  dal
    .command("grant")
    .description("holder: grant a processing-use or product-operation right (or sublicense one with --parent)")
    .argument("<assetId>", "asset id")
    .requiredOption("--to <address>", "who receives the right")
    .addOption(new Option("--kind <kind>", "the right granted").choices(choicesOf(RightKind)).makeOptionMandatory())
    .requiredOption("--until <date>", "last day of the term (valid through its end, UTC+8)")
    .option("--from <date>", "first day of the term (00:00 UTC+8; default now)")
    .option("--scope-file <file|hash>", "scope document: purpose, fields, territory (default: a generated document of the terms)")
    .option("--scope-mask <mask>", "scope classes from the published vocabulary (e.g. 0b0011)", "0")
    .option("--sublicensable", "the grantee may sublicense within this right")
    .option("--transferable", "the certificate may be transferred")
    .option("--parent <certId>", "sublicense from this certificate of yours instead of granting as holder")
    .action(run(async () => (await import("./rights")).grant));

  dal
    .command("revoke")
    .description("grantor or the asset's registrar: revoke a rights certificate and every sublicence under it (a licence sold on the exchange: the registrar only)")
    .argument("<certId>", "rights certificate id")
    .requiredOption("--reason <text>", "why (recorded on chain)")
    .action(run(async () => (await import("./rights")).revoke));

  dal
    .command("list")
    .description("list an asset on an exchange: a licence of a right, or the holding right itself")
    .argument("<assetId>", "asset id")
    .requiredOption("--price <decimal>", "price per unit in whole tokens, e.g. 1234.50")
    .addOption(new Option("--offer <offer>", "what is sold").choices(choicesOf(Offer)).default("processing-use"))
    .option("--venue <id>", "exchange the listing is filed with (default: the asset's registrar)")
    .option("--token <address>", "settlement token (see DAL_TOKEN)")
    .option("--term-days <n>", "licence term from settlement", "365")
    .option("--quantity <n>", "most units to sell (0 = unlimited)", "0")
    .option("--scope-file <file|hash>", "licence scope document (default: a generated document of the terms)")
    .option("--scope-mask <mask>", "licence scope classes", "0")
    .option("--sublicensable", "licences sold may be sublicensed")
    .option("--transferable", "licences sold may be transferred")
    .option("--merchant <address>", "data merchant (数商) sponsoring the seller")
    .option("--merchant-bps <n>", "merchant commission in bps of the settled amount", "0")
    .option("--delivery-window <duration>", "time to deliver after an order (e.g. 7d, 36h)", "7d")
    .option("--acceptance-window <duration>", "time the buyer has to dispute a delivery", "3d")
    .option(
      "--seller-cert <certId>",
      "sell licences under this sublicensable product-operation right instead of as holder; with --offer holding-transfer, sell this transferable rights certificate itself",
    )
    .addHelpText(
      "after",
      `
A holding transfer sells what the seller holds: the registration certificate (the holding right), or with
--seller-cert that rights certificate, which must be transferable, valid, of the asset and not restricted by a live
pledge. Buyers order, the seller delivers and the buyer accepts as for any listing; at settlement the certificate
passes to the buyer.`,
    )
    .action(run(async () => (await import("./trade")).list));

  dal
    .command("buy")
    .description("order from a listing: checks the balance, sets the token allowance if needed, pays into escrow at the shown price")
    .argument("<listingId>", "listing id")
    .option("--max-price <decimal>", "refuse to buy above this price")
    .action(run(async () => (await import("./trade")).buy));

  dal
    .command("deliver")
    .description("seller: post the delivery proof of an order")
    .argument("<orderId>", "order id")
    .requiredOption("--proof <file|hash>", "delivery proof (hashed locally)")
    .action(run(async () => (await import("./trade")).deliver));

  dal
    .command("accept")
    .description("buyer: accept a delivery; the order settles (fee, commission, royalties, seller net) and the licence is issued")
    .argument("<orderId>", "order id")
    .action(run(async () => (await import("./trade")).accept));

  dal
    .command("settle")
    .description("anyone (usually the seller): settle a delivered order whose acceptance window passed without a dispute")
    .argument("<orderId>", "order id")
    .action(run(async () => (await import("./trade")).settle));

  dal
    .command("dispute")
    .description("buyer: dispute a delivery within the acceptance window; an arbiter then rules")
    .argument("<orderId>", "order id")
    .requiredOption("--evidence <file|hash>", "evidence of the dispute (hashed locally)")
    .action(run(async () => (await import("./dispute")).dispute));

  dal
    .command("resolve-dispute")
    .description("arbiter: rule on a disputed order: refund part or all of the price to the buyer, settle the rest")
    .argument("<orderId>", "order id")
    .requiredOption("--refund <decimal|all>", "refund to the buyer in whole tokens; 0 settles all for the seller, all refunds the whole price")
    .requiredOption("--resolution <file|hash>", "the ruling's document (hashed locally)")
    .addHelpText(
      "after",
      `
The rest of the price settles as an accepted order does (exchange fee, merchant commission, royalties, seller net),
and the buyer's licence is issued for what the seller can still grant (its term clamped to the seller's right; none
if it can grant nothing). A full refund settles nothing. Needs the exchange's ARBITER_ROLE.`,
    )
    .action(run(async () => (await import("./dispute")).resolveDispute));

  dal
    .command("refund")
    .description("refund the buyer of an order that cannot go on; which refund follows from the order's state")
    .argument("<orderId>", "order id")
    .addHelpText(
      "after",
      `
  paid, not delivered by its deadline      refundUndelivered        the buyer
  disputed, no ruling within the timeout   refundUnresolvedDispute  anyone (the buyer is refunded)
  delivered, but settlement cannot run     refundStranded           the buyer
  (the exchange lost its role in the registry or rights contract, or one of them has been paused past the
  acceptance end plus the grace period)
The refund is credited on the exchange; the buyer withdraws it with dal withdraw. Any other state sends nothing
(exit 8); a deadline not yet passed is refused by the exchange, which says when it ends (exit 5).`,
    )
    .action(run(async () => (await import("./dispute")).refund));

  dal
    .command("withdraw")
    .description("withdraw your credits (sales, royalties, fees, refunds) from the exchange")
    .option("--token <address>", "token to withdraw (see DAL_TOKEN)")
    .option("--to <address>", "recipient (default: you)")
    .action(run(async () => (await import("./trade")).withdraw));

  const pledge = dal
    .command("pledge")
    .description(
      "pledgor (the holder of what is pledged): file a pledge (质押) registered with the legal registry (中登网 or an IP authority): " +
        "dal pledge <assetId> … (--revenue, --certificate <certId>); and the steps after it: pledge accept|change|release|consent|default " +
        "(pledgee), pledge authorise-sale|withdraw (pledgor), pledge object (anyone but the pledgee), pledge objection uphold|dismiss " +
        "(arbiter), pledge withdraw-sale (pledgee, of an enforcement sale)",
    );
  // Filing is the default subcommand (`dal pledge 7 …` is `dal pledge file 7 …`), so that its options belong to it
  // and not to `pledge`, which would otherwise take a subcommand's --amount or --term-end for its own.
  pledge
    .command("file", { isDefault: true })
    .description("pledgor: file a pledge registered with the legal registry (the default: dal pledge <assetId> … is dal pledge file <assetId> …)")
    .argument("[assetId]", "the pledged asset")
    .option("--pledgee <address>", "质权人: the lender")
    .option("--amount <decimal>", "secured amount in whole tokens (with --maximum-amount: the maximum)")
    .option("--token <address|symbol>", "token of the secured amount (see DAL_TOKEN)")
    .option("--term-end <date>", "the secured debt's due date, YYYY-MM-DD (through its end, UTC+8)")
    .option("--registry <text>", "the legal registry it is registered with, e.g. PBOC-ZDW (中登网), at most 31 bytes")
    .option("--number <text>", "its registration number (登记证明编号), 1-64 bytes")
    .option("--registered-at <time>", "its registration time, YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC+8): pledges of an asset rank by it")
    .option("--revenue", "pledge the holder's revenue from the asset (收益权) instead of the holding right")
    .option("--certificate <certId>", "pledge this transferable rights certificate of the asset, which you hold, instead of the holding right")
    .option("--debtor <address>", "the debtor, when not the pledgor (default: you)")
    .option("--scope <parts>", "scope of security (担保范围), comma-separated: principal, interest, penalties, damages, enforcement-costs (default: all)")
    .option("--maximum-amount", "a maximum-amount pledge (最高额质押, art. 439)")
    .option("--allow-licensing", "the holder may license without the pledgee's consent")
    .option("--allow-self-sale", "on default the pledgee may sell without the pledgor's agreement or an order")
    .option("--reserve-price <decimal>", "with --allow-self-sale: the least such a sale may ask, in whole tokens (a sale the pledgor agrees to or an arbiter orders may ask less)")
    .option("--contract <file>", "the main (loan) contract, hashed locally")
    .option("--contract-hash <hash>", "or its 0x SHA-256 hash")
    .addHelpText(
      "after",
      `
Filing needs --pledgee, --amount, --term-end, --registry, --number, --registered-at and --contract (or
--contract-hash); the pledgor signs, and the pledgee then accepts (dal pledge accept <id>). A live pledge ranks among
the asset's live pledges by its legal registration time (then by id); a junior moves up when a senior is released.
While live it refuses transfers and cancellation of the asset, and licensing unless allowed (a revenue pledge never
restricts licensing: the holder's net of each sale, and its royalties as a parent, go to the revenue pledgees in rank
order up to what each is owed), until every pledgee consents or releases. Public institutions (行政事业单位) may
not pledge. Times are UTC+8.

With --certificate the pledgor is the certificate's holder (checked before sending, with the certificate's asset,
transferability and validity). Its pledges rank, restrict and are sold apart from the asset's own: while live they
refuse the certificate's transfer and sale and, unless allowed, sublicensing under it; the asset and its holder are
untouched.`,
    )
    .action(run(async () => (await import("./pledge")).file));
  pledge
    .command("accept")
    .description("pledgee: accept a filed pledge: it is live and ranks among the asset's live pledges")
    .argument("<pledgeId>", "pledge id")
    .action(run(async () => (await import("./pledge")).accept));
  pledge
    .command("change")
    .description("pledgee: record a change (变更登记): a lower secured amount, a later term, licensing allowed or not; the rest stays")
    .argument("<pledgeId>", "pledge id")
    .option("--amount <decimal>", "the new secured amount in whole tokens, no more than now")
    .option("--term-end <date>", "the new due date, YYYY-MM-DD (through its end, UTC+8), no earlier than now")
    .option("--allow-licensing", "licensing (or sublicensing under a pledged certificate) no longer needs the pledgee's consent")
    .option("--no-allow-licensing", "licensing needs the pledgee's consent again")
    .action(run(async () => (await import("./pledge")).change));
  pledge
    .command("release")
    .description("pledgee: release the pledge (注销登记), e.g. once the loan is repaid; juniors move up")
    .argument("<pledgeId>", "pledge id")
    .action(run(async () => (await import("./pledge")).release));
  pledge
    .command("consent")
    .description("pledgee: consent, standing, to a transfer, the cancellation or licensing of what is pledged (for a certificate: its transfer or sublicensing)")
    .argument("<pledgeId>", "pledge id")
    .addArgument(new Argument("<what>", "what is consented to").choices(["transfer", "cancellation", "licensing"]))
    .action(run(async () => (await import("./pledge")).consent));
  pledge
    .command("default")
    .description("pledgee: declare the debtor in default after the term; or an arbiter rules it with --ruling")
    .argument("<pledgeId>", "pledge id")
    .option("--ruling <file|hash>", "arbiter: the ruling's document (hashed locally); rules the default at any time")
    .action(run(async () => (await import("./pledge")).declareDefault));
  pledge
    .command("authorise-sale")
    .description("pledgor: agree to the enforcement sale of a defaulted pledge; or an arbiter orders it with --ruling")
    .argument("<pledgeId>", "pledge id")
    .option("--ruling <file|hash>", "the order's document (an arbiter must give it; the pledgor may give the agreement)")
    .action(run(async () => (await import("./pledge")).authoriseSale));
  pledge
    .command("withdraw")
    .description("pledgor: withdraw a filing the pledgee has not accepted")
    .argument("<pledgeId>", "pledge id")
    .action(run(async () => (await import("./pledge")).withdraw));
  pledge
    .command("withdraw-sale")
    .description("pledgee: take the enforcement sale off the exchange (not while an order of it is open); the pledge stays in default")
    .argument("<pledgeId>", "pledge id")
    .action(run(async () => (await import("./pledge")).withdrawSale));
  pledge
    .command("object")
    .description("anyone but the pledgee (the pledgor, another creditor, a buyer): object to a pledge (异议登记), with evidence; a notice until an arbiter rules")
    .argument("<pledgeId>", "pledge id")
    .requiredOption("--evidence <file|hash>", "evidence of the objection (hashed locally)")
    .action(run(async () => (await import("./pledge")).object));
  const pledgeObjection = pledge
    .command("objection")
    .description("arbiter of the pledge registry: rule on a pledge's open objection (uphold: the pledge is void; dismiss: it stands)");
  for (const [verb, what, fn] of [
    ["uphold", "uphold the pledge's open objection: the pledge is void, juniors move up", "upholdObjection"],
    ["dismiss", "dismiss the pledge's open objection: the pledge stands", "dismissObjection"],
  ] as const) {
    pledgeObjection
      .command(verb)
      .description(`arbiter: ${what}`)
      .argument("<pledgeId>", "pledge id (a pledge has at most one open objection)")
      .requiredOption("--resolution <file|hash>", "the ruling's document (hashed locally; its hash goes on chain)")
      .action(run(async () => (await import("./pledge"))[fn]));
  }

  dal
    .command("enforce")
    .description("pledgee: after default, list the pledged holding or certificate for sale on the exchange (实现质权); buyers order it as any listing")
    .argument("<pledgeId>", "pledge id")
    .requiredOption("--price <decimal>", "price in whole tokens of the pledge's token")
    .option("--venue <id>", "venue (exchange) to list on (default: the asset's registrar)")
    .option("--costs <decimal>", "enforcement costs paid first from the proceeds (the pledge's scope must cover them)")
    .option("--costs-evidence <file|hash>", "with --costs: their evidence (hashed locally)")
    .option("--delivery-window <duration>", "time the pledgee has to deliver after an order", "7d")
    .option("--acceptance-window <duration>", "time the buyer has to accept or dispute", "3d")
    .addHelpText(
      "after",
      `
Where the pledge allows self-sale (at no less than its reserve price, if it has one), or the pledgor agreed or an
arbiter ordered it (dal pledge authorise-sale; then any price). The listing is a holding transfer of the holding, or
of the pledged certificate, with the pledge registry as seller. After a buyer's order the pledgee delivers
(dal deliver <orderId> --proof <file>: dal sends it through the pledge registry) and the buyer accepts. The proceeds
pay the enforcement costs, then every live pledge of the asset (or of the certificate) in rank order up to what it
is owed, the rest to the pledgor; every one of those pledges ends (a shortfall stays the debtor's debt). The pledgee
takes an unsold sale off the exchange with dal pledge withdraw-sale <pledgeId>.`,
    )
    .action(run(async () => (await import("./pledge")).enforce));

  dal
    .command("pledges")
    .description("pledges with their rank, outstanding amount and status, from the pledge registry on the chain")
    .option("--asset <assetId>", "only this asset's (live ones in rank order first; then its certificates')")
    .option("--certificate <certId>", "only this rights certificate's (live ones in rank order first)")
    .option("--pledgor <address>", "only this pledgor's")
    .option("--pledgee <address>", "only this pledgee's")
    .action(run(async () => (await import("./pledge")).list));

  const attest = dal.command("attest").description("attest compliance, quality or value of an asset (accredited assessors and appraisers)");
  attest
    .command("compliance")
    .description("assessor: record a compliance assessment (合规评估)")
    .argument("<assetId>", "asset id")
    .option("--passed", "the assessment passed")
    .option("--failed", "the assessment failed")
    .requiredOption("--report <file|hash>", "assessment report (hashed locally)")
    .option("--supersedes <attestationId>", "an earlier attestation of yours this one replaces")
    .action(run(async () => (await import("./attest")).attestCompliance));
  attest
    .command("quality")
    .description("assessor: record quality scores 0-100 of the six dimensions")
    .argument("<assetId>", "asset id")
    .requiredOption("--scores <a,c,c,c,t,a>", "accuracy,consistency,completeness,conformity,timeliness,accessibility")
    .requiredOption("--report <file|hash>", "quality report (hashed locally)")
    .option("--supersedes <attestationId>", "an earlier attestation of yours this one replaces")
    .action(run(async () => (await import("./attest")).attestQuality));
  attest
    .command("appraisal")
    .description("appraiser: record a valuation report (数据资产评估)")
    .argument("<assetId>", "asset id")
    .addOption(new Option("--method <method>", "valuation approach").choices(choicesOf(ValuationMethod)).makeOptionMandatory())
    .requiredOption("--value <decimal>", "appraised value in whole tokens")
    .option("--currency <address>", "token the value is in (see DAL_TOKEN)")
    .requiredOption("--valuation-date <date>", "valuation date of the report")
    .requiredOption("--report <file|hash>", "valuation report (hashed locally)")
    .option("--supersedes <attestationId>", "an earlier attestation of yours this one replaces")
    .action(run(async () => (await import("./attest")).attestAppraisal));

  const record = dal
    .command("record")
    .description("accounting entries of an entity's book for a data asset (财会〔2023〕11号); dates at 00:00 UTC+8");
  const dated = (c: Command) =>
    c.requiredOption("--date <date>", "date of the entry, YYYY-MM-DD (UTC+8)").requiredOption("--evidence <file|hash>", "supporting document (hashed locally)");
  dated(
    record
      .command("recognise")
      .description("open a book: recognise the asset as intangible asset, inventory or development expenditure; prints the book id")
      .argument("<assetId>", "asset id")
      .addOption(new Option("--category <category>", "balance-sheet category").choices(choicesOf(Category)).makeOptionMandatory())
      .addOption(new Option("--source <source>", "how the entity obtained it (disclosure column)").choices(choicesOf(CostSource)).makeOptionMandatory())
      .option("--life-months <n>", "useful life in months for amortisation (0 = indefinite; inventory: 0)", "0")
      .option(
        "--awaiting-use",
        "intangible only: recognised (e.g. bought) now, ready for use later; not amortised until `dal record ready` records the ready date and useful life",
      )
      .option("--residual <decimal>", "residual value", "0")
      .option("--currency <address>", "token whose minor units the book is kept in (see DAL_TOKEN)")
      .option("--entity <address>", "the reporting entity (default: you; else you record as its accountant)")
      .option(
        "--allow-duplicate",
        "open a book even though the entity already has one open for this asset and category (a separate acquisition, " +
          "e.g. a second licence with its own term and useful life); without it dal refuses (exit 8)",
      ),
  ).action(run(async () => (await import("./record")).recognise));
  dated(
    record
      .command("cost")
      .description("add a cost (capitalised unless research phase)")
      .argument("<bookId>", "book id")
      .requiredOption("--amount <decimal>", "amount in the book's currency")
      .addOption(new Option("--source <source>", "source of this cost (default: the book's)").choices(choicesOf(CostSource)))
      .addOption(new Option("--phase <phase>", "development books: research or development").choices(choicesOf(CostPhase)).default("none"))
      .option("--order <orderId>", "the settled exchange order this cost paid for"),
  ).action(run(async () => (await import("./record")).cost));
  dated(
    record
      .command("ready")
      .description(
        "the asset is ready for use, amortised from this month: development expenditure becomes an intangible asset, or an intangible recognised with --awaiting-use gets its ready date (once)",
      )
      .argument("<bookId>", "book id")
      .requiredOption("--life-months <n>", "useful life in months (0 = indefinite)"),
  ).action(run(async () => (await import("./record")).ready));
  dated(
    record
      .command("impair")
      .description("impairment (intangible, development; never reversed) or inventory write-down")
      .argument("<bookId>", "book id")
      .requiredOption("--amount <decimal>", "amount in the book's currency"),
  ).action(run(async () => (await import("./record")).impair));
  dated(
    record
      .command("reverse")
      .description("reverse an inventory write-down, up to the amount written down")
      .argument("<bookId>", "book id")
      .requiredOption("--amount <decimal>", "amount in the book's currency"),
  ).action(run(async () => (await import("./record")).reverse));
  dated(
    record
      .command("derecognise")
      .description("derecognise: sale, lapse of rights (失效且终止确认) or other; closes the book")
      .argument("<bookId>", "book id")
      .addOption(new Option("--reason <reason>", "why").choices(choicesOf(DerecognitionReason)).makeOptionMandatory())
      .option("--proceeds <decimal>", "proceeds of a sale", "0"),
  ).action(run(async () => (await import("./record")).derecognise));

  dal
    .command("balance-sheet")
    .description("an entity's data resources on its balance sheet at the end of a day (from the API)")
    .requiredOption("--entity <address>", "the reporting entity")
    .requiredOption("--as-of <date>", "YYYY-MM-DD, end of that day UTC+8")
    .option("--csv", "CSV for spreadsheets instead of a table")
    .action(run(async () => (await import("./statements")).balanceSheet));

  dal
    .command("disclosure")
    .description("disclosure tables A (intangible) and B (inventory) and the R&D spending expensed / capitalised, for a period (from the API)")
    .requiredOption("--entity <address>", "the reporting entity")
    .requiredOption("--from <date>", "first day, YYYY-MM-DD")
    .requiredOption("--to <date>", "last day, YYYY-MM-DD")
    .option("--csv", "CSV for spreadsheets instead of tables")
    .action(run(async () => (await import("./statements")).disclosure));

  dal
    .command("journal")
    .description("the vouchers (会计分录) of an entity's data assets for a period, ready for an ERP import, and whether they reconcile with the balance sheet (from the API)")
    .requiredOption("--entity <address>", "the reporting entity")
    .requiredOption("--from <date>", "first day, YYYY-MM-DD")
    .requiredOption("--to <date>", "last day, YYYY-MM-DD (at most 10 years after --from)")
    .option("--csv", "the ERP voucher import as CSV (UTF-8 with BOM) instead of a table")
    .option("--xlsx <file>", "write the ERP voucher import as an XLSX workbook to <file>")
    .option("--mapping <file>", "account mapping (JSON: accounts, roles, books) instead of the server's for the entity")
    .action(run(async () => (await import("./journal")).journal));

  dal
    .command("provenance")
    .description("the full ordered history of an asset with chain coordinates (from the API)")
    .argument("<assetId>", "asset id")
    .option("--csv", "CSV (with each event's arguments) instead of a table")
    .action(run(async () => (await import("./provenance")).provenance));

  reportUnknownOptionsFirst(dal);
  return dal;
}

/**
 * commander checks required options before unknown ones, so `dal balance-sheet --bogus` would only complain about a
 * missing --entity and never name --bogus. Required options are checked here instead, just before the action runs:
 * after commander has refused an unknown option or a missing argument.
 */
function reportUnknownOptionsFirst(root: Command): void {
  const required = new Map<Command, Option[]>();
  const walk = (cmd: Command) => {
    const mandatory = cmd.options.filter((o) => o.mandatory);
    mandatory.forEach((o) => o.makeOptionMandatory(false));
    if (mandatory.length) required.set(cmd, mandatory);
    cmd.commands.forEach(walk);
  };
  walk(root);
  root.hook("preAction", (_root, action) => {
    for (let cmd: Command | null = action; cmd; cmd = cmd.parent) {
      for (const o of required.get(cmd) ?? []) {
        if (cmd.getOptionValue(o.attributeName()) === undefined) {
          cmd.error(`error: required option '${o.flags}' not specified`, { code: "commander.missingMandatoryOptionValue", exitCode: EXIT.USAGE });
        }
      }
    }
  });
}

/** Arguments are world-readable (ps, /proc) and kept in shell history: a key there is a key leaked. */
function refusePrivateKeyFlag(argv: string[]): void {
  if (argv.some((a) => a === "--private-key" || a.startsWith("--private-key="))) {
    throw new DalError(
      EXIT.USAGE,
      "--private-key is refused: a key on the command line is visible to every user in the process list and stays in " +
        "shell history. Set DAL_PRIVATE_KEY in the environment, or use an encrypted keystore (--keystore <file> or DAL_KEYSTORE).",
    );
  }
}

/** `dal sign <file> <command> [args...]` is `dal --sign <file> <command> [args...]`: the same command, signed as a
 * relayed request into <file> instead of sent. Global options before `sign` stay where they are. */
function signAsOption(argv: string[]): string[] {
  const at = argv.findIndex((a) => !a.startsWith("-"));
  if (at < 0 || argv[at] !== "sign" || argv.length < at + 3 || argv[at + 1].startsWith("-")) return argv;
  return [...argv.slice(0, at), "--sign", argv[at + 1], ...argv.slice(at + 2)];
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  exitCode = EXIT.OK;
  try {
    refusePrivateKeyFlag(argv);
    await program().parseAsync(signAsOption(argv), { from: "user" });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander has printed the message (or the help); --help itself is a success.
      return err.code === "commander.helpDisplayed" || err.code === "commander.version" ? EXIT.OK : EXIT.USAGE;
    }
    const failure = err instanceof DalError ? err : (await import("./revert")).classify(err);
    process.stderr.write(`dal: ${failure.message}\n`);
    if (process.env.DAL_DEBUG && !(err instanceof DalError)) process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
    return failure.code;
  }
}

/** Runs the command line and exits with its code, once stdout has drained (a large CSV into a pipe) and without
 * waiting for idle sockets. bin/dal.js calls this. */
export function cli(): void {
  // A reader that stops early (`dal provenance 1 --csv | head`) is not an error of ours.
  process.stdout.on("error", (err: NodeJS.ErrnoException) => process.exit(err.code === "EPIPE" ? exitCode : EXIT.INTERNAL));
  main().then((code) => process.stdout.write("", () => process.exit(code)));
}

if (require.main === module) cli();
