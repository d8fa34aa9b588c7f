// Whether a signed request would succeed if relayed now, and if not, which call says why: the forwarder's execute
// (signature, nonce, deadline, trust, gas) or the target called as the forwarder calls it (signer appended), since
// execute hides the target's own revert as FailedCall. Used by the relay service and by `dal relay`.
import { Interface, concat, type Provider } from "ethers";
import { revertData } from "../dal/revert";
import { FORWARDER_ABI, type ForwardRequestData } from "./request";

export const FORWARDER_INTERFACE = new Interface([...FORWARDER_ABI, "error FailedCall()"]);

/** True when an ethers error is a revert (the contract said no), not a transport failure. */
export function isRevert(err: unknown): boolean {
  const e = err as { code?: string };
  return e?.code === "CALL_EXCEPTION" || revertData(err) !== undefined;
}

/** The forwarder's own error in `err`, if it is one (FailedCall included). */
export function forwarderError(err: unknown): { error: string; message: string } | undefined {
  const data = revertData(err);
  if (!data) return undefined;
  try {
    const parsed = FORWARDER_INTERFACE.parseError(data);
    return parsed ? { error: parsed.name, message: `${parsed.name}(${parsed.args.map(String).join(", ")})` } : undefined;
  } catch {
    return undefined;
  }
}

export type Simulation =
  | { ok: true }
  /** The forwarder refuses the request itself (not FailedCall): `err` carries its error. */
  | { ok: false; failed: "forwarder"; err: unknown }
  /** The target reverts (or runs out of the request's gas): `err` carries the contract's error. */
  | { ok: false; failed: "target"; err: unknown }
  /** The target alone succeeds, yet execute fails: the request's gas is too low for the forwarder's check. */
  | { ok: false; failed: "gas" };

/**
 * A request whose nonce is current runs through the forwarder's execute from the relayer; on FailedCall, and for a
 * request behind others of its signer not yet executed, the target is called as the forwarder would call it. Errors
 * other than reverts (a lost connection) are thrown.
 */
export async function simulateRequest(
  provider: Provider,
  forwarder: string,
  relayer: string,
  data: ForwardRequestData,
  nonceIsCurrent: boolean,
): Promise<Simulation> {
  if (nonceIsCurrent) {
    try {
      await provider.call({ from: relayer, to: forwarder, data: FORWARDER_INTERFACE.encodeFunctionData("execute", [data]) });
      return { ok: true };
    } catch (err) {
      if (!isRevert(err)) throw err;
      const own = forwarderError(err);
      if (own && own.error !== "FailedCall") return { ok: false, failed: "forwarder", err };
    }
  }
  try {
    await provider.call({ from: forwarder, to: data.to, data: concat([data.data, data.from]), gasLimit: data.gas });
  } catch (err) {
    if (!isRevert(err)) throw err;
    return { ok: false, failed: "target", err };
  }
  return nonceIsCurrent ? { ok: false, failed: "gas" } : { ok: true };
}
