#!/usr/bin/env -S node --max-semi-space-size=64
'use strict';
// The `zfc` command: a thin launcher for the compiled CLI (npm run build first). A larger young
// generation (64 MB semi-spaces) than Node's default: the gateway allocates much short-lived JSON
// per request and per block, and with the default, garbage collection took about a sixth of its CPU under capture load.
require('../dist/cli/zfc.js').main(process.argv).catch((err) => {
  process.stderr.write(`zfc: ${err && err.message ? err.message : String(err)}\n`);
  process.exitCode = process.exitCode || 1;
});
