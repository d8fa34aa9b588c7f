// The signing key: from DAL_PRIVATE_KEY, or from an encrypted JSON keystore (--keystore or DAL_KEYSTORE) whose
// password comes from DAL_KEYSTORE_PASSWORD or a prompt on a terminal. Never from a command-line argument: those
// end up in shell history and in every other user's `ps` listing (main.ts refuses --private-key outright).
import { readFileSync } from "node:fs";
import { Wallet, type JsonRpcProvider } from "ethers";
import { DalError, EXIT } from "./exit";
import { SigningWallet } from "./tx";

const keyError = (message: string) => new DalError(EXIT.KEY, message);

export interface KeyOptions {
  keystore?: string;
}

export async function loadSigner(provider: JsonRpcProvider, opts: KeyOptions, env: NodeJS.ProcessEnv = process.env): Promise<Wallet> {
  const keystore = opts.keystore ?? env.DAL_KEYSTORE;
  if (!opts.keystore && env.DAL_KEYSTORE && env.DAL_PRIVATE_KEY) {
    throw keyError("both DAL_PRIVATE_KEY and DAL_KEYSTORE are set; unset one so it is clear which key signs");
  }
  if (keystore) return fromKeystore(keystore, provider, env);
  const key = env.DAL_PRIVATE_KEY?.trim();
  if (!key) {
    throw keyError("no signing key: set DAL_PRIVATE_KEY, or pass --keystore <file> (or set DAL_KEYSTORE) for an encrypted JSON keystore");
  }
  // The key itself is never echoed, not even in an error.
  if (!/^(0x)?[0-9a-fA-F]{64}$/.test(key)) throw keyError("DAL_PRIVATE_KEY is not a private key (64 hex digits, optionally 0x-prefixed)");
  try {
    return new SigningWallet(key.startsWith("0x") ? key : `0x${key}`, provider);
  } catch {
    throw keyError("DAL_PRIVATE_KEY is not a valid secp256k1 private key");
  }
}

async function fromKeystore(file: string, provider: JsonRpcProvider, env: NodeJS.ProcessEnv): Promise<Wallet> {
  let json: string;
  try {
    json = readFileSync(file, "utf8");
    JSON.parse(json);
  } catch (err) {
    throw keyError(`cannot read keystore ${file}: ${(err as Error).message}`);
  }
  const password = env.DAL_KEYSTORE_PASSWORD ?? (await promptPassword(`password for ${file}: `));
  try {
    const wallet = await Wallet.fromEncryptedJson(json, password);
    return new SigningWallet(wallet.privateKey, provider);
  } catch (err) {
    const message = (err as Error).message;
    throw keyError(/password/i.test(message) ? `wrong password for keystore ${file}` : `keystore ${file} cannot be decrypted: ${message}`);
  }
}

/** Reads a line from the terminal without echoing it. */
function promptPassword(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    return Promise.reject(keyError("the keystore needs a password: set DAL_KEYSTORE_PASSWORD or run on a terminal to be asked"));
  }
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let typed = "";
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off("data", onData);
      process.stderr.write("\n");
      if (err) reject(err);
      else resolve(typed);
    };
    const onData = (data: Buffer) => {
      for (const ch of data.toString("utf8")) {
        if (ch === "\r" || ch === "\n") return done();
        if (ch === "\u0003") return done(keyError("cancelled"));
        if (ch === "\u007f" || ch === "\b") typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on("data", onData);
  });
}
