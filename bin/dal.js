#!/usr/bin/env node
// Launcher of the dal command-line tool: compiles the TypeScript sources on the fly (transpile only: type checking
// is `npx tsc --noEmit`'s job, and would add seconds to every command) with the repository's tsconfig.
"use strict";
const path = require("node:path");

require("ts-node").register({
  transpileOnly: true,
  project: path.join(__dirname, "..", "tsconfig.json"),
});
require("../scripts/dal/main.ts").cli();
