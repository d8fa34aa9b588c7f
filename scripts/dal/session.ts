// One run of the CLI: the settings, the chain connected on first use (read-only commands over the API never touch
// the RPC), the signer loaded only by commands that write, and the output in the form asked for.
import type { Wallet } from "ethers";
import { connect, settings, signed, type Chain } from "./env";
import { loadSigner } from "./keys";
import type { Facts } from "./report";
import type { SignOptions } from "./relayed";

export interface GlobalOptions extends SignOptions {
  json?: boolean;
  keystore?: string;
}

export class Session {
  readonly settings = settings();
  private chainPromise?: Promise<Chain>;

  constructor(readonly options: GlobalOptions) {}

  chain(): Promise<Chain> {
    return (this.chainPromise ??= connect(this.settings));
  }

  /** The chain with the contracts connected to the signing key. */
  async writer(): Promise<{ chain: Chain; wallet: Wallet; as: ReturnType<typeof signed> }> {
    // --sign: the transaction is signed as a relayed request and written to a file instead (relayed.ts).
    if (this.options.sign) return (await import("./relayed")).requestWriter(this, this.options);
    const chain = await this.chain();
    const wallet = await loadSigner(chain.provider, { keystore: this.options.keystore });
    return { chain, wallet, as: signed(chain, wallet) };
  }

  get json(): boolean {
    return Boolean(this.options.json);
  }

  print(text: string): void {
    process.stdout.write(text);
  }

  facts(facts: Facts): void {
    this.print(facts.render(this.json));
  }

  async close(): Promise<void> {
    const chain = await this.chainPromise?.catch(() => undefined);
    chain?.close();
  }
}
