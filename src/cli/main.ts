// The `wharf` command line (DESIGN.md 1.1). Every command acts on the data directory and database that
// the WHARF_* settings name and is safe while a server runs on them (SQLite in WAL mode, busy timeout).
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerClientCommands } from './client/commands.js';
import { stringify } from 'yaml';
import pino from 'pino';
import { readSettings } from '../config/settings.js';
import { ConfigError, loadConfigFile } from '../config/load.js';
import { exportConfig, reconcile } from '../config/reconcile.js';
import { randomPassword } from '../security/passwords.js';
import { openWharf, type Wharf } from '../wharf.js';
import { startServer } from './serve.js';
import { createBackup, restoreBackup, verifyBackup } from '../storage/backup.js';

async function withWharf<T>(fn: (wharf: Wharf) => Promise<T>): Promise<T> {
  const settings = readSettings();
  const wharf = await openWharf(settings, pino({ level: 'warn' }));
  try {
    await wharf.reload();
    return await fn(wharf);
  } finally {
    await wharf.close();
  }
}

const SHUTDOWN_GRACE_MS = 25_000;

const program = new Command('wharf').description('Wharf repository manager').showHelpAfterError();

program.command('serve').description('run the server (settings from WHARF_* variables and wharf.yaml)')
  .action(async () => {
    const running = await startServer();
    const stop = async (signal: string) => {
      running.wharf.log.info({ signal }, 'shutting down');
      // In-flight requests may finish for SHUTDOWN_GRACE_MS (under the 30 s orchestrators wait before SIGKILL);
      // then the process exits anyway, and task and fill leases it still holds expire on their own.
      setTimeout(() => {
        running.wharf.log.warn({ graceMs: SHUTDOWN_GRACE_MS }, 'requests still open after the shutdown grace period; exiting');
        process.exit(1);
      }, SHUTDOWN_GRACE_MS).unref();
      await running.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
  });

const config = program.command('config').description('configuration as code (wharf.yaml)');
config.command('validate').argument('<file>').description('check a configuration file and report every problem')
  .action((file: string) => {
    loadConfigFile(file);
    console.log(`${file}: valid`);
  });
config.command('apply').argument('<file>').option('--dry-run', 'report what would change, change nothing')
  .description('reconcile the database to a configuration file')
  .action(async (file: string, opts: { dryRun?: boolean }) => {
    const desired = loadConfigFile(file);
    const changes = await withWharf((wharf) => reconcile(wharf, desired, opts.dryRun, 'cli'));
    const { formatChanges } = await import('./config-report.js');
    console.log(formatChanges(changes, Boolean(opts.dryRun)));
  });
config.command('export').option('-o, --output <file>', 'write to a file instead of stdout')
  .description('write the running configuration as YAML')
  .action(async (opts: { output?: string }) => {
    const yaml = stringify(await withWharf(exportConfig));
    if (opts.output) writeFileSync(opts.output, yaml);
    else process.stdout.write(yaml);
  });

const backup = program.command('backup').description('consistent backups of the data directory, safe while a server runs');
backup.command('create').argument('<dir>').description('copy the database and the blobs it references into DIR (incremental)')
  .action(async (dir: string) => {
    const r = await createBackup(readSettings(), dir);
    console.log(`backup in ${dir}: ${r.blobs} blobs, ${r.bytes} bytes (${r.copied} blobs copied this time)`);
  });
backup.command('verify').argument('<dir>').description('check the database copy and rehash every blob')
  .action(async (dir: string) => {
    const { blobs, problems } = await verifyBackup(dir);
    for (const p of problems) console.error(p);
    console.log(problems.length ? `${problems.length} problem(s) in ${dir}` : `${dir}: ${blobs} blobs verified, database intact`);
    if (problems.length) process.exitCode = 1;
  });
backup.command('restore').argument('<dir>').description('restore DIR into the (empty) data directory named by WHARF_DATA')
  .action(async (dir: string) => {
    const settings = readSettings();
    const m = await restoreBackup(settings, dir);
    console.log(`restored ${m.blobs} blobs (${m.bytes} bytes) from the backup of ${m.createdAt} into ${settings.dataDir}`);
  });

const admin = program.command('admin').description('administration of the data directory');
admin.command('reset-password').argument('<user>').option('--password <password>', 'the new password (default: a random one, printed)')
  .description("set a local user's password")
  .action(async (user: string, opts: { password?: string }) => {
    const password = opts.password ?? randomPassword();
    const ok = await withWharf(async (wharf) => {
      const changed = await wharf.users.setPassword(user, password);
      if (changed) wharf.audit.record({ userId: 'cli', domain: 'security.user', type: 'change-password', object: user, attributes: { source: 'wharf admin reset-password' } });
      return changed;
    });
    if (!ok) {
      console.error(`no local user ${user}`);
      process.exitCode = 1;
      return;
    }
    console.log(opts.password ? `password of ${user} changed` : `new password of ${user}: ${password}`);
  });

registerClientCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error(`wharf: ${(err as Error).message ?? err}`);
  process.exit(1);
});
