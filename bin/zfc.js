#!/usr/bin/env node
'use strict';
// The `zfc` command: a thin launcher for the compiled CLI (npm run build first).
require('../dist/cli/zfc.js').main(process.argv).catch((err) => {
  process.stderr.write(`zfc: ${err && err.message ? err.message : String(err)}\n`);
  process.exitCode = process.exitCode || 1;
});
