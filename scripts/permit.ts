// EIP-2612 permits for the SettlementToken (domain: the token's name, version "1"), so a buyer can order with one
// transaction instead of approve + order. Used by the demo and the tests.
import { Signature, type Signer } from "ethers";
import type { SettlementToken } from "../typechain-types";

/** A permit signed by `owner` letting `spender` take `value` of `token` until `deadline`. */
export async function signPermit(token: SettlementToken, owner: Signer, spender: string, value: bigint, deadline: bigint): Promise<Signature> {
  const { chainId } = await owner.provider!.getNetwork();
  const domain = { name: await token.name(), version: "1", chainId, verifyingContract: await token.getAddress() };
  const types = {
    Permit: [
      { name: "owner", type: "address" },
      { name: "spender", type: "address" },
      { name: "value", type: "uint256" },
      { name: "nonce", type: "uint256" },
      { name: "deadline", type: "uint256" },
    ],
  };
  const ownerAddress = await owner.getAddress();
  const message = { owner: ownerAddress, spender, value, nonce: await token.nonces(ownerAddress), deadline };
  return Signature.from(await owner.signTypedData(domain, types, message));
}
