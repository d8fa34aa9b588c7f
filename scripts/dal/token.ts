// Settlement tokens: which ERC-20 a command means, its decimals (amounts are typed in whole tokens and converted
// exactly to minor units with them), and amounts shown back with its symbol.
import { IERC20Metadata__factory } from "../../typechain-types/factories/@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata__factory";
import type { IERC20Metadata } from "../../typechain-types";
import { MaxUint256, type ContractRunner } from "ethers";
import { formatUnits } from "../../api/money";
import type { Chain } from "./env";
import { address } from "./parse";
import { DalError, EXIT, usage } from "./exit";

export interface Token {
  address: string;
  symbol: string;
  decimals: number;
  contract: IERC20Metadata;
  /** Minor units as "1234.50 eCNY". */
  show(units: bigint): string;
  /** Minor units as --json gives every amount: { amount: "1234.50", raw: "123450", token, symbol, decimals }. */
  json(units: bigint): AmountJson;
}

/** An amount in --json output: the exact decimal, the integer in minor units, and the token it is in. */
export interface AmountJson {
  [key: string]: string | number;
  amount: string;
  raw: string;
  token: string;
  symbol: string;
  decimals: number;
}

/** An ERC-20 allowance of 2^256-1 is "unlimited": OpenZeppelin's ERC-20 never decreases it. */
export const isUnlimited = (allowance: bigint) => allowance === MaxUint256;

export async function token(chain: Chain, tokenAddress: string, runner: ContractRunner = chain.provider): Promise<Token> {
  const contract = IERC20Metadata__factory.connect(tokenAddress, runner);
  let decimals: number;
  try {
    decimals = Number(await contract.decimals());
  } catch {
    throw new DalError(EXIT.REFUSED, `refused: ${tokenAddress} does not answer decimals(); it is not an ERC-20 token`);
  }
  const symbol = await contract.symbol().catch(() => tokenAddress);
  return {
    address: tokenAddress,
    symbol,
    decimals,
    contract,
    show: (units) => `${formatUnits(units, decimals)} ${symbol}`,
    json: (units) => ({ amount: formatUnits(units, decimals), raw: units.toString(), token: tokenAddress, symbol, decimals }),
  };
}

/**
 * The token a command means: --token, else DAL_TOKEN, else a SettlementToken in the deployment record, else the one
 * token the exchange allows (from its TokenAllowed events). Several allowed tokens and no choice is a usage error.
 */
export async function resolveToken(chain: Chain, flag: string | undefined, flagName = "--token"): Promise<string> {
  if (flag) return address(flagName, flag);
  if (process.env.DAL_TOKEN) return address("DAL_TOKEN", process.env.DAL_TOKEN);
  const recorded = chain.record.contracts.SettlementToken?.address;
  if (recorded) return address(`SettlementToken in ${chain.record.file}`, recorded);
  const allowed = new Map<string, boolean>();
  for (const e of await chain.exchange.queryFilter(chain.exchange.filters.TokenAllowed(), chain.record.startBlock)) {
    allowed.set(e.args.token, e.args.allowed);
  }
  const tokens = [...allowed].filter(([, ok]) => ok).map(([t]) => t);
  if (tokens.length === 1) return tokens[0];
  throw usage(
    tokens.length === 0
      ? `${flagName}: the exchange allows no token yet; name one with ${flagName} <address>`
      : `${flagName}: the exchange allows ${tokens.length} tokens (${tokens.join(", ")}); choose one with ${flagName} <address>`,
  );
}
