// A JSON-RPC call to the in-process Hardhat network (evm_mine, evm_snapshot, eth_getBlockByNumber, ...), for the
// benchmarks that drive the chain themselves.
import hre from "hardhat";

export const rpc = <T = any>(method: string, params: unknown[] = []) => hre.network.provider.request({ method, params }) as Promise<T>;
