// `hardhat run --network anvil test/helpers/anvilDemo.ts`: deploys (scripts/deploy.ts) and seeds the demo
// (scripts/demo.ts) exactly as `npm start` does on its embedded Hardhat chain, then writes the deployment record to
// DEPLOYMENTS_DIR. test/e2e/anvil.test.ts compares what the indexer and the API make of it with the same on Hardhat.
// Only as a script: `hardhat test` loads every file under test/, and seeding the demo inside the test run would race
// the tests' own transactions on the in-process chain (it made the first suite's set-up hang in CI).
import { ethers } from "hardhat";
import { deployContracts, writeDeployment } from "../../scripts/deploy";
import { seedDemo } from "../../scripts/demo";

async function main() {
  const signers = await ethers.getSigners();
  const deployed = await deployContracts(signers[0]);
  const demo = await seedDemo({ deployed, signers });
  const file = writeDeployment(deployed.record, process.env.DEPLOYMENTS_DIR ?? "deployments");
  console.log(JSON.stringify({ file, counts: demo.counts }));
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
