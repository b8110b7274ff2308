import { createApp } from './app.js';
import { runCli } from './cli.js';
import { loadConfig } from './config.js';
import { createLogger } from './core/logger.js';
import { installProcessGuards } from './core/process-guards.js';

/** How long stop() may take after SIGTERM/SIGINT before the process exits anyway. */
const STOP_DEADLINE_MS = 10_000;

/** `dm-bridge start`: load config, build the app, serve; SIGTERM/SIGINT -> app.stop() -> exit 0. */
async function start(opts: { config?: string }): Promise<void> {
  const config = loadConfig(opts.config === undefined ? {} : { file: opts.config });
  const log = createLogger({ level: config.log.level });
  // unhandledRejection: logged, the bridge continues; uncaughtException: logged, exit 1 (core/process-guards.ts)
  installProcessGuards(log);
  const app = createApp(config, { log });
  try {
    await app.start();
  } catch (err) {
    await app.stop().catch(() => undefined);
    throw err;
  }
  const { host, port } = app.apiAddress();
  log.info({ api: `${host}:${port}`, pid: process.pid, store: config.store.path, authorities: config.authorities.length }, 'started');

  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'stopping');
    setTimeout(() => {
      log.error('stop took too long: exiting');
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    app.stop().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

const code = await runCli(process.argv, { start });
if (code !== 0) process.exit(code);
