#!/usr/bin/env -S node --max-semi-space-size=64 --heap-growing-percent=300
'use strict';
// The `zfc` command: a thin launcher for the compiled CLI (npm run build first). A larger young
// generation (64 MB semi-spaces) than Node's default: the gateway allocates much short-lived JSON
// per request and per block, and with the default, garbage collection took about a sixth of its CPU under capture load.
// The old generation grows by V8's own largest factor (4x what a full collection left) every time: V8 otherwise
// picks the factor from its estimate of the allocation rate, which an idle spell drags down, and a burst of
// capture after a quiet minute then ran with a factor of 1.1 — a full collection of each thread's heap every
// ~150 ms, a third more CPU per event. The heap's limit still caps it (V8 never grows past halfway to the limit).
require('../dist/cli/zfc.js').main(process.argv).catch((err) => {
  process.stderr.write(`zfc: ${err && err.message ? err.message : String(err)}\n`);
  process.exitCode = process.exitCode || 1;
});
