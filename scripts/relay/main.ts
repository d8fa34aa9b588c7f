// `npm run relay`: the exchange's relay service (scripts/relay/service.ts) with its settings from the environment.
//   RPC_URL                  the chain (default http://127.0.0.1:8545)
//   DEPLOYMENT               the deployment record (default deployments/<chain id>.json, as for dal and the indexer)
//   RELAYER_PRIVATE_KEY      the relayer's key, or
//   RELAYER_KEYSTORE         an encrypted JSON keystore, with RELAYER_KEYSTORE_PASSWORD
//   RELAY_HOST, RELAY_PORT   where to listen (default 127.0.0.1:4100)
//   RELAY_WINDOW_MS          how long a batch collects requests (default 1000)
//   RELAY_MAX_BATCH          requests per transaction at most (default 50)
//   RELAY_RATE_PER_MINUTE    requests per signer per minute (default 60)
//   RELAY_MAX_QUEUE          requests queued at most (default 1000)
// The key never comes from a command-line argument or a file of plain keys. SIGTERM / SIGINT: stop accepting, send
// what is queued, exit.
import { readFileSync } from "node:fs";
import { Wallet } from "ethers";
import { connect, settings as chainSettings } from "../dal/env";
import { DEFAULTS, RelayService, type RelayOptions } from "./service";

export interface RelaySettings {
  rpcUrl: string;
  deployment?: string;
  host: string;
  port: number;
  windowMs: number;
  maxBatch: number;
  ratePerMinute: number;
  maxQueue: number;
}

function whole(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min) throw new Error(`${name} must be a whole number of at least ${min}, got "${raw}"`);
  return Number(raw);
}

export function relaySettings(env: NodeJS.ProcessEnv = process.env): RelaySettings {
  const chain = chainSettings(env);
  const port = whole(env, "RELAY_PORT", DEFAULTS.port, 0);
  if (port > 65535) throw new Error(`RELAY_PORT must be a TCP port, got ${port}`);
  return {
    rpcUrl: chain.rpcUrl,
    deployment: chain.deployment,
    host: env.RELAY_HOST || DEFAULTS.host,
    port,
    windowMs: whole(env, "RELAY_WINDOW_MS", DEFAULTS.windowMs, 0),
    maxBatch: whole(env, "RELAY_MAX_BATCH", DEFAULTS.maxBatch, 1),
    ratePerMinute: whole(env, "RELAY_RATE_PER_MINUTE", DEFAULTS.ratePerMinute, 1),
    maxQueue: whole(env, "RELAY_MAX_QUEUE", DEFAULTS.maxQueue, 1),
  };
}

const NO_KEY =
  "no relayer key: set RELAYER_PRIVATE_KEY, or RELAYER_KEYSTORE (an encrypted JSON keystore) with RELAYER_KEYSTORE_PASSWORD. " +
  "The relay takes its key from the environment or a keystore only, never from a command-line argument";

/** The relayer's key, from RELAYER_PRIVATE_KEY or an encrypted keystore; never echoed, not even in an error. */
export async function relayerKey(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const key = env.RELAYER_PRIVATE_KEY?.trim();
  const keystore = env.RELAYER_KEYSTORE?.trim();
  if (key && keystore) throw new Error("both RELAYER_PRIVATE_KEY and RELAYER_KEYSTORE are set; unset one so it is clear which key pays");
  if (keystore) {
    let json: string;
    try {
      json = readFileSync(keystore, "utf8");
      JSON.parse(json);
    } catch (err) {
      throw new Error(`cannot read keystore ${keystore}: ${(err as Error).message}`);
    }
    const password = env.RELAYER_KEYSTORE_PASSWORD;
    if (password === undefined) throw new Error(`the keystore ${keystore} needs its password in RELAYER_KEYSTORE_PASSWORD`);
    try {
      return (await Wallet.fromEncryptedJson(json, password)).privateKey;
    } catch (err) {
      const message = (err as Error).message;
      throw new Error(/password/i.test(message) ? `wrong password for keystore ${keystore}` : `keystore ${keystore} cannot be decrypted: ${message}`);
    }
  }
  if (!key) throw new Error(NO_KEY);
  if (!/^(0x)?[0-9a-fA-F]{64}$/.test(key)) throw new Error("RELAYER_PRIVATE_KEY is not a private key (64 hex digits, optionally 0x-prefixed)");
  const hex = key.startsWith("0x") ? key : `0x${key}`;
  try {
    new Wallet(hex);
  } catch {
    throw new Error("RELAYER_PRIVATE_KEY is not a valid secp256k1 private key");
  }
  return hex;
}

/** Everything `npm run relay` does before listening: the key first (no network needed to refuse), then the chain,
 * the deployment record for it, and the forwarder's code. The service is returned not yet started. */
export async function openRelay(env: NodeJS.ProcessEnv = process.env, extra: Partial<RelayOptions> = {}): Promise<RelayService> {
  const s = relaySettings(env);
  const key = await relayerKey(env);
  const chain = await connect({ rpcUrl: s.rpcUrl, apiUrl: "", deployment: s.deployment });
  try {
    const forwarder = chain.record.contracts.RelayForwarder?.address;
    if (!forwarder) throw new Error(`deployment record ${chain.record.file} names no RelayForwarder; redeploy (npm run deploy) with the forwarder`);
    if ((await chain.provider.getCode(forwarder)) === "0x") {
      throw new Error(`no forwarder at ${forwarder} on chain ${chain.chainId} (RelayForwarder in ${chain.record.file}): a restarted node, or a record from another deployment`);
    }
    return new RelayService({
      provider: chain.provider,
      wallet: new Wallet(key, chain.provider),
      record: chain.record,
      host: s.host,
      port: s.port,
      windowMs: s.windowMs,
      maxBatch: s.maxBatch,
      ratePerMinute: s.ratePerMinute,
      maxQueue: s.maxQueue,
      onClose: () => chain.close(),
      ...extra,
    });
  } catch (err) {
    chain.close();
    throw err;
  }
}

async function main() {
  const relay = await openRelay();
  const url = await relay.start();
  console.error(`relay: listening at ${url} (POST /requests, GET /requests/:id, /health, /metrics); relayer ${relay.relayer}, forwarder ${relay.forwarderAddress}, chain ${relay.chainId}`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`relay: ${signal}: no new requests; sending what is queued`);
    relay.stop().then(
      () => {
        console.error("relay: stopped");
        process.exit(0);
      },
      (err) => {
        console.error(`relay: stopping failed: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`relay failed: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  });
}
