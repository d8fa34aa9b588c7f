// Signed requests for the ERC-2771 forwarder (OpenZeppelin ERC2771Forwarder, deployed as RelayForwarder): a holder
// signs an EIP-712 ForwardRequest offline; a relayer submits it and pays the gas; the target contract sees the signer
// as the actor. This module builds, signs, reads and checks them; `dal sign` writes them to files in FILE_FORMAT,
// `dal relay` and the relay service (scripts/relay/service.ts) submit them.
import { Contract, TypedDataEncoder, getAddress, isHexString, verifyTypedData, type Provider, type Signer } from "ethers";

/** The forwarder's EIP-712 domain name (RelayForwarder's constructor) and version (OpenZeppelin's). */
export const DOMAIN_NAME = "DataAssetLedger";
export const DOMAIN_VERSION = "1";
export const FILE_FORMAT = "dal-relay-request-v1";

/** OpenZeppelin 5 ERC2771Forwarder's typed struct (the nonce is signed, not sent: the forwarder reads its own). */
export const FORWARD_REQUEST_TYPES = {
  ForwardRequest: [
    { name: "from", type: "address" },
    { name: "to", type: "address" },
    { name: "value", type: "uint256" },
    { name: "gas", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint48" },
    { name: "data", type: "bytes" },
  ],
};

/** The forwarder's calls and events this code uses (a subset of its ABI, so that no artifact is needed). */
export const FORWARDER_ABI = [
  "function nonces(address owner) view returns (uint256)",
  "function verify((address from,address to,uint256 value,uint256 gas,uint48 deadline,bytes data,bytes signature) request) view returns (bool)",
  "function execute((address from,address to,uint256 value,uint256 gas,uint48 deadline,bytes data,bytes signature) request) payable",
  "function executeBatch((address from,address to,uint256 value,uint256 gas,uint48 deadline,bytes data,bytes signature)[] requests, address refundReceiver) payable",
  "event ExecutedForwardRequest(address indexed signer, uint256 nonce, bool success)",
  "error ERC2771ForwarderInvalidSigner(address signer, address from)",
  "error ERC2771ForwarderExpiredRequest(uint48 deadline)",
  "error ERC2771UntrustfulTarget(address target, address forwarder)",
  "error ERC2771ForwarderMismatchedValue(uint256 requestedValue, uint256 msgValue)",
];

export interface ForwardRequest {
  from: string;
  to: string;
  value: bigint;
  gas: bigint;
  nonce: bigint;
  deadline: bigint;
  data: string;
}

/** What the forwarder's execute takes: the request without its nonce, with the signature. */
export interface ForwardRequestData {
  from: string;
  to: string;
  value: bigint;
  gas: bigint;
  deadline: bigint;
  data: string;
  signature: string;
}

/** A signed request as a file: everything a relayer needs, plus what it is, for people. */
export interface SignedRequestFile {
  format: typeof FILE_FORMAT;
  chainId: string;
  forwarder: string;
  /** e.g. "DataAssetRegistry.submit" */
  action: string;
  request: { from: string; to: string; value: string; gas: string; nonce: string; deadline: string; data: string };
  signature: string;
}

export function domainOf(chainId: bigint, forwarder: string) {
  return { name: DOMAIN_NAME, version: DOMAIN_VERSION, chainId, verifyingContract: getAddress(forwarder) };
}

/** Signs `request` for the forwarder at `forwarder` on chain `chainId`; no network needed. */
export async function signRequest(
  signer: Signer,
  chainId: bigint,
  forwarder: string,
  request: ForwardRequest,
  action: string,
): Promise<SignedRequestFile> {
  const signature = await signer.signTypedData(domainOf(chainId, forwarder), FORWARD_REQUEST_TYPES, request);
  return {
    format: FILE_FORMAT,
    chainId: chainId.toString(),
    forwarder: getAddress(forwarder),
    action,
    request: {
      from: getAddress(request.from),
      to: getAddress(request.to),
      value: request.value.toString(),
      gas: request.gas.toString(),
      nonce: request.nonce.toString(),
      deadline: request.deadline.toString(),
      data: request.data,
    },
    signature,
  };
}

/** Reads and checks the shape of a signed request (from a file or an HTTP body); throws a message naming the field. */
export function parseSignedRequest(json: unknown): SignedRequestFile {
  const o = json as SignedRequestFile;
  if (!o || typeof o !== "object") throw new Error("a signed request must be a JSON object");
  if (o.format !== FILE_FORMAT) throw new Error(`format must be "${FILE_FORMAT}", got ${JSON.stringify(o.format)}`);
  const r = o.request;
  if (!r || typeof r !== "object") throw new Error("request is missing");
  for (const k of ["from", "to"] as const) {
    if (typeof r[k] !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(r[k])) throw new Error(`request.${k} must be an address`);
  }
  if (typeof o.forwarder !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(o.forwarder)) throw new Error("forwarder must be an address");
  for (const k of ["value", "gas", "nonce", "deadline"] as const) {
    if (typeof r[k] !== "string" || !/^\d{1,78}$/.test(r[k])) throw new Error(`request.${k} must be a decimal integer string`);
  }
  if (BigInt(r.deadline) >= 2n ** 48n) throw new Error("request.deadline must fit in 48 bits");
  if (typeof o.chainId !== "string" || !/^\d{1,20}$/.test(o.chainId)) throw new Error("chainId must be a decimal integer string");
  if (typeof r.data !== "string" || !isHexString(r.data) || r.data.length < 10) throw new Error("request.data must be 0x-hex call data");
  if (typeof o.signature !== "string" || !isHexString(o.signature, 65)) throw new Error("signature must be 65 bytes of 0x-hex");
  if (typeof o.action !== "string") throw new Error("action must be a string");
  return o;
}

export function requestOf(f: SignedRequestFile): ForwardRequest {
  const r = f.request;
  return {
    from: getAddress(r.from),
    to: getAddress(r.to),
    value: BigInt(r.value),
    gas: BigInt(r.gas),
    nonce: BigInt(r.nonce),
    deadline: BigInt(r.deadline),
    data: r.data,
  };
}

/** The argument of the forwarder's execute / executeBatch. */
export function dataOf(f: SignedRequestFile): ForwardRequestData {
  const { nonce: _nonce, ...rest } = requestOf(f);
  return { ...rest, signature: f.signature };
}

/** The address that signed `f`, recovered offline. */
export function signerOf(f: SignedRequestFile): string {
  return verifyTypedData(domainOf(BigInt(f.chainId), f.forwarder), FORWARD_REQUEST_TYPES, requestOf(f), f.signature);
}

/** The EIP-712 digest the signer signed (a stable id for a request, e.g. for de-duplication). */
export function digestOf(f: SignedRequestFile): string {
  return TypedDataEncoder.hash(domainOf(BigInt(f.chainId), f.forwarder), FORWARD_REQUEST_TYPES, requestOf(f));
}

export function forwarderAt(address: string, runner: Provider | Signer): Contract {
  return new Contract(address, FORWARDER_ABI, runner);
}
