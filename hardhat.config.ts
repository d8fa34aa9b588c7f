import { HardhatUserConfig, subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, TASK_TEST_GET_TEST_FILES } from "hardhat/builtin-tasks/task-names";
import "@nomicfoundation/hardhat-ethers";
import "@nomicfoundation/hardhat-chai-matchers";
import "@typechain/hardhat";

// The compiler is the pinned `solc` npm package (solc-js): machines here cannot download compilers.
// Keep SOLC_VERSION equal to the version of `solc` in package.json.
const SOLC_VERSION = "0.8.28";

// `hardhat test` runs test/**/*.test.ts only: by default it would load every file under test/ as a test, helpers
// and scripts too, and a script's side effects would then run inside the test process.
subtask(TASK_TEST_GET_TEST_FILES, async (args: { testFiles: string[] }, _hre, runSuper) => {
  const files: string[] = await runSuper(args);
  return args.testFiles.length > 0 ? files : files.filter((f) => f.endsWith(".test.ts"));
});

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) return runSuper();
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const solc = require("solc");
  const longVersion: string = solc.version();
  if (!longVersion.startsWith(SOLC_VERSION)) {
    throw new Error(`solc npm package is ${longVersion}, hardhat.config.ts expects ${SOLC_VERSION}`);
  }
  return {
    compilerPath: require.resolve("solc/soljson.js"),
    isSolcJs: true,
    version: SOLC_VERSION,
    longVersion: longVersion.replace(/\.Emscripten\.clang$/, ""),
  };
});

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: {
      // paris: no PUSH0/MCOPY/transient storage, so the bytecode also runs on consortium EVM chains.
      evmVersion: "paris",
      optimizer: { enabled: true, runs: 200 },
      // The IR pipeline keeps DataExchange well under the 24 KB limit (about 1.6 KB smaller) and costs less gas.
      viaIR: true,
    },
  },
  networks: {
    hardhat: {
      // Contract size matters less than readable, complete checks on a registry; the real limit is still enforced.
      allowUnlimitedContractSize: false,
    },
    // anvil at ANVIL_URL with its own unlocked accounts (test/helpers/anvil.ts starts one on a free port).
    anvil: { url: process.env.ANVIL_URL ?? "http://127.0.0.1:8545", timeout: 600_000 },
    // A consortium chain (Besu QBFT/IBFT, FISCO BCOS web3 RPC, BSN): docs/consortium-chains.md,
    // scripts/deployConsortium.ts. Gas price 0 unless GAS_PRICE says otherwise; the key from DEPLOYER_KEY.
    consortium: {
      url: process.env.RPC_URL ?? "http://127.0.0.1:8545",
      accounts: process.env.DEPLOYER_KEY ? [process.env.DEPLOYER_KEY] : "remote",
      gasPrice: Number(process.env.GAS_PRICE ?? 0),
      timeout: 600_000,
    },
  },
  typechain: { outDir: "typechain-types", target: "ethers-v6" },
  mocha: { timeout: 600_000, reporter: require.resolve("./test/summary-reporter.js") },
};

export default config;
