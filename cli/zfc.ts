/**
 * The `zfc` command. Each part registers its own subcommands here with one line; the parts'
 * commands live in their own folders.
 */
import { Command } from 'commander';
import { ZfcError } from '../chaincode/errors';
import { registerLedgerCommands } from '../ledger-tools';
import { registerQrCommands } from '../qr-service';
import { registerGatewayCommands } from '../gateway-api';

/** Runs the `zfc` command line (`argv` as in process.argv). */
export async function main(argv: readonly string[]): Promise<void> {
  const program = new Command('zfc').description('Zhe Food Chain: a tamper-evident food traceability ledger');
  registerLedgerCommands(program);
  registerQrCommands(program);
  registerGatewayCommands(program);
  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    if (!(err instanceof ZfcError)) throw err;
    process.stderr.write(`zfc: ${err.code}: ${err.text}${Object.keys(err.details).length ? ` ${JSON.stringify(err.details)}` : ''}\n`);
    process.exitCode = 1;
  }
}
