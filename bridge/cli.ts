import { Command, CommanderError } from 'commander';
import { ApiClientError, createApiClient } from './api/client.js';
import { registerDeviceCommands } from './cli-devices.js';
import { registerResetCommand } from './cli-reset.js';
import { registerStatusCommand } from './cli-status.js';
import { ConfigError, loadConfig } from './config.js';

/** Exit codes: 0 ok, 1 a command failed (bridge unreachable, node not found/denied), 2 usage, config or startup error. */
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2 } as const;

/** An error the CLI reports as one line `dm-bridge: <message>` and exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export interface CliHandlers {
  /** Run the bridge; resolves once it serves (the process then lives until a signal). */
  start(opts: { config?: string }): Promise<void>;
  /** Where command output goes (stdout by default). */
  out?: (text: string) => void;
}

async function treeGet(uri: string, opts: { as?: string; config?: string }, out: (t: string) => void): Promise<void> {
  const cfg = loadConfig(opts.config === undefined ? {} : { file: opts.config });
  const client = createApiClient({ host: cfg.api.host, port: cfg.api.port, token: cfg.api.token });
  const node = await client.getTree(uri, opts.as ?? null);
  out(`${JSON.stringify(node, null, 2)}\n`);
}

async function session(account: string, opts: { wait?: boolean; config?: string }, out: (t: string) => void): Promise<void> {
  const cfg = loadConfig(opts.config === undefined ? {} : { file: opts.config });
  const client = createApiClient({ host: cfg.api.host, port: cfg.api.port, token: cfg.api.token });
  const report = await client.triggerSession(account, opts.wait === true);
  out(`${JSON.stringify(report, null, 2)}\n`);
  const outcome = (report as { outcome?: string }).outcome;
  if (opts.wait === true && outcome !== 'ok') throw new CliError(`session with ${account} ended: ${outcome ?? 'unknown'}`, EXIT.FAILED);
}

/** The `dm-bridge` command line. */
export function buildCli(h: CliHandlers): Command {
  const out = h.out ?? ((t: string) => void process.stdout.write(t));
  const program = new Command('dm-bridge')
    .description('OMA DM multi-authority client and LAN device bridge')
    .exitOverride()
    .showHelpAfterError(false);
  program
    .command('start')
    .description('run the bridge')
    .option('-c, --config <file>', 'config file (default: $DM_BRIDGE_CONFIG, else the embedded defaults)')
    .action(async (opts: { config?: string }) => h.start(opts));
  const tree = program.command('tree').description('read the management tree of a running bridge');
  tree
    .command('get <uri>')
    .description('print one node as JSON (through the local API)')
    .option('--as <serverId>', 'read as this ServerID (its ACLs apply); default: local operator')
    .option('-c, --config <file>', 'config file naming the API address and token')
    .action(async (uri: string, opts: { as?: string; config?: string }) => treeGet(uri, opts, out));
  program
    .command('session <account>')
    .description('open a DM session with an authority now (through the local API)')
    .option('-w, --wait', 'wait for the session to end and print its report')
    .option('-c, --config <file>', 'config file naming the API address and token')
    .action(async (account: string, opts: { wait?: boolean; config?: string }) => session(account, opts, out));
  registerDeviceCommands(program, out, (message, code) => new CliError(message, code));
  registerResetCommand(program, out, (message, code) => new CliError(message, code));
  registerStatusCommand(program, out, (message, code) => new CliError(message, code));
  return program;
}

/** Turn anything thrown into one line and an exit code. */
export function reportError(err: unknown): { line: string; exitCode: number } {
  if (err instanceof CommanderError) return { line: '', exitCode: err.exitCode === 0 ? EXIT.OK : EXIT.USAGE };
  const msg = err instanceof Error ? err.message : String(err);
  const line = `dm-bridge: ${msg.replace(/\s+/g, ' ').trim()}`;
  if (err instanceof CliError) return { line, exitCode: err.exitCode };
  if (err instanceof ApiClientError) return { line, exitCode: EXIT.FAILED };
  if (err instanceof ConfigError) return { line, exitCode: EXIT.USAGE };
  return { line, exitCode: EXIT.USAGE };
}

/** Parse argv and run the command; resolves to an exit code, or never settles the process for `start`. */
export async function runCli(argv: readonly string[], h: CliHandlers): Promise<number> {
  try {
    await buildCli(h).parseAsync([...argv]);
    return EXIT.OK;
  } catch (err) {
    const { line, exitCode } = reportError(err);
    if (line !== '') process.stderr.write(`${line}\n`);
    return exitCode;
  }
}
