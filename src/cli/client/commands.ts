// The client commands of `wharf` (repo, user, task), declared here with commander only: their actions are
// imported when one runs, so `wharf serve` and the other commands never load client code.
import type { Command } from 'commander';
import type { ClientOptions } from './rest.js';

const actions = () => import('./actions.js');
const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The connection options every client command takes. */
function connection(cmd: Command): Command {
  return cmd
    .option('--url <url>', 'server URL (default: WHARF_URL or http://127.0.0.1:8081)')
    .option('--user <user>', 'sign in as this user (with --password or WHARF_PASSWORD)')
    .option('--password <password>', 'the password of --user')
    .option('--token <token>', 'an API token (default: WHARF_TOKEN)')
    .option('--json', 'print JSON for scripts instead of a table');
}

/** Runs an action; a ClientError prints its message and sets its exit code (2 usage, 1 server). */
function run<A extends unknown[]>(fn: (...args: A) => Promise<void>) {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      const { ClientError } = await import('./rest.js');
      if (!(err instanceof ClientError)) throw err;
      process.stderr.write(`wharf: ${err.message}\n`);
      process.exitCode = err.exitCode;
    }
  };
}

/** Usage errors (unknown option, missing argument) exit with 2, as scripts expect; help exits with 0. */
function usageExit(err: { code: string; exitCode: number }): never {
  process.exit(err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.help' ? 0 : 2);
}

export function registerClientCommands(program: Command): void {
  const group = (name: string, description: string) => program.command(name).description(description).exitOverride(usageExit);
  const repo = group('repo', 'repositories of a running server (REST API)');
  connection(repo.command('list').description('list repositories'))
    .action(run(async (o: ClientOptions) => (await actions()).repoList(o)));
  connection(repo.command('create').argument('<format>', 'docker, raw ...').argument('<type>', 'hosted, proxy or group').argument('<name>')
    .description('create a repository (Nexus\'s body from --file, or built from the options)')
    .option('--file <json>', 'the whole REST body as a JSON file')
    .option('--blob-store <name>', 'blob store (default: default)')
    .option('--write-policy <policy>', 'hosted: allow, allow_once or deny (default: allow)')
    .option('--remote-url <url>', 'proxy: the upstream')
    .option('--member <name>', 'group: a member (repeat, in order)', collect)
    .option('--writable-member <name>', 'group: the member pushes go to')
    .option('--http-port <port>', 'docker: a connector port')
    .option('--offline', 'create it offline'))
    .action(run(async (format: string, type: string, name: string, o) => (await actions()).repoCreate(format, type, name, o)));
  connection(repo.command('delete').argument('<name>').description('delete a repository and its content'))
    .action(run(async (name: string, o: ClientOptions) => (await actions()).repoDelete(name, o)));

  const user = group('user', 'users of a running server (REST API)');
  connection(user.command('list').description('list users'))
    .action(run(async (o: ClientOptions) => (await actions()).userList(o)));
  connection(user.command('create').argument('<userId>').description('create a local user')
    .option('--user-password <password>', 'the new user\'s password')
    .option('--role <role>', 'a role (repeat)', collect)
    .option('--first-name <name>').option('--last-name <name>').option('--email <address>'))
    .action(run(async (userId: string, o) => (await actions()).userCreate(userId, o)));
  connection(user.command('delete').argument('<userId>').description('delete a user'))
    .action(run(async (userId: string, o: ClientOptions) => (await actions()).userDelete(userId, o)));

  const task = group('task', 'scheduled tasks of a running server (REST API)');
  connection(task.command('list').description('list tasks'))
    .action(run(async (o: ClientOptions) => (await actions()).taskList(o)));
  connection(task.command('run').argument('<id>').description('run a task now'))
    .action(run(async (id: string, o: ClientOptions) => (await actions()).taskRun(id, o)));
}
