/**
 * fabric-contract-api logs every decorator it applies at `info` level when a contract class
 * is loaded (dozens of lines per transaction function, on every process start). That says
 * nothing an operator needs, so those four annotation loggers are silenced after the
 * library has created them (winston ignores a later level change on them) and before the
 * contract class is declared; they log nothing but these lines. Nothing else about logging is changed.
 */
interface WinstonLike { silent: boolean }

import 'fabric-contract-api';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- fabric-contract-api's logger has no typed entry point
const { getLogger } = require('fabric-contract-api/lib/logger') as { getLogger(name: string): WinstonLike };

for (const name of ['default', 'info', 'object', 'transaction']) {
  getLogger(`./lib/annotations/${name}.js`).silent = true;
}
