/**
 * A contracts module that ends the thread loading it (test/ledger/threaded.test.ts): opening a
 * threaded ledger on it must fail with LEDGER_UNAVAILABLE, not wait forever.
 */
process.exit(4);
