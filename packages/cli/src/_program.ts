// The command tree: every command and its options, declared with commander.
// Each action loads the code of its command with `await import()`, so that
// `svcmon beat` never loads the pulse, nodemailer or the config editor.
import { Command, Help, InvalidArgumentError, Option } from 'commander';
import type { SCHEMA, parseDuration } from '@svcmon/store';
import pkg from '../package.json' with { type: 'json' };
import type { CommandKind } from './errors.js';
import type { Io } from './_io.js';
import { positiveInteger } from './_parsers.js';
import { parseUntil } from './_until.js';

/** The config's schema and the duration parser (@svcmon/store): loaded by main only for the commands that use them. */
export interface Lib {
  SCHEMA: typeof SCHEMA;
  parseDuration: typeof parseDuration;
}
type Schema = typeof SCHEMA;

export interface State {
  exitCode: number;
  command: CommandKind;
}

const WHERE_HELP =
  'bucket name, s3://bucket/prefix, or a local directory (a path with "/" or starting with ".", or a file: URL)';

function example(lines: string[]): string {
  return `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

function storeFlags(cmd: Command): Command {
  return cmd
    .option('--region <region>', 'AWS region of the bucket (default: AWS_REGION, else asked from S3)')
    .option('--endpoint <url>', 'S3-compatible endpoint such as MinIO, R2 or s3rver (default: AWS_ENDPOINT_URL_S3)');
}

export function buildProgram(io: Io, state: State, lib?: Lib): Command {
  const program = new Command('svcmon');

  const prepare = (cmd: Command): Command =>
    cmd
      .exitOverride()
      .configureOutput({
        writeOut: (s) => void io.stdout.write(s),
        writeErr: (s) => void io.stderr.write(s),
        outputError: (s, write) => {
          const text = s.replace(/^error:\s*/, '').trim().split('\n').join(' ');
          const path = commandPath(cmd);
          write(`${io.errColor.red('svcmon: error:')} ${text} (see '${path} --help')\n`);
        },
      });

  const run = (kind: CommandKind, load: () => Promise<(io: Io, ...args: never[]) => Promise<number>>) =>
    async (...args: unknown[]) => {
      state.command = kind;
      const command = await load();
      // commander passes (...arguments, options, command); the command modules take the same.
      state.exitCode = await (command as (io: Io, ...rest: unknown[]) => Promise<number>)(io, ...args);
    };

  prepare(program)
    .description('Heartbeat and site monitoring with nothing but an S3 bucket (or a local directory).')
    .version(pkg.version, '-V, --version', 'print the version')
    .option('--debug', 'print stack traces of errors')
    .configureHelp({
      showGlobalOptions: true,
      // The listing shows run's `--`, which commander cannot declare as an argument.
      subcommandTerm(cmd: Command): string {
        return cmd.name() === 'run' ? 'run <where> <task> -- <command...>' : Help.prototype.subcommandTerm.call(this, cmd);
      },
    })
    .helpOption('-h, --help', 'show help')
    .addHelpText(
      'after',
      example([
        'svcmon beat my-bucket nightly-build',
        'svcmon pulse my-bucket --email-config email.rktd --beat monitor',
        'svcmon config set-task my-bucket nightly-build --period 86400',
        'svcmon demo',
      ]) + '\nExit codes, environment variables and more: https://www.npmjs.com/package/@svcmon/cli\n',
    );

  // svcmon beat <where> <task>
  storeFlags(
    prepare(program.command('beat'))
      .description("record a task's heartbeat (<task>-beat.json) now")
      .argument('<where>', WHERE_HELP)
      .argument('<task>', 'task name, as in the config (any characters)'),
  )
    .option('--no-acl', 'do not ask for a public-read ACL on the heartbeat')
    .addHelpText(
      'after',
      example([
        'svcmon beat my-bucket nightly-build',
        'svcmon beat s3://shared-bucket/team-a backup --region eu-west-1',
        'svcmon beat ./monitor nightly-build',
      ]),
    )
    .action(run('beat', async () => (await import('./commands/beat.js')).beatCommand));

  // svcmon run <where> <task> -- <command> [args…]: parsed by the command itself (main.ts routes it
  // there before commander); declared here for the help listing.
  prepare(program.command('run'))
    .description("run a command and record its start, then a heartbeat (exit 0) or a failure with the output's tail")
    .usage('[options] <where> <task> -- <command> [args…]')
    .allowUnknownOption()
    .argument('<where>', WHERE_HELP)
    .argument('<task>', 'task name, as in the config')
    .argument('<command...>', 'the command and its arguments, after --')
    .addHelpText('after', '\nOptions of svcmon run: svcmon run --help\n')
    .action(run('run', async () => (await import('./commands/run.js')).runCommand as never));

  // svcmon pulse <where>
  storeFlags(
    prepare(program.command('pulse'))
      .description('check every site and heartbeat of the config, print the report, e-mail it')
      .argument('<where>', WHERE_HELP),
  )
    .addOption(new Option('--no-email', 'do not send e-mail').conflicts(['failEmail', 'changeEmail']))
    .addOption(new Option('--fail-email', 'send e-mail only when a check failed').conflicts(['email', 'changeEmail']))
    .addOption(new Option('--change-email', 'notify (e-mail and webhooks) only when a verdict changed since the last message').conflicts(['email', 'failEmail']))
    .option('--remind <duration>', 'with --change-email: repeat the message while anything stays down, e.g. 6h, 30m, 1d (implies --change-email)', (text: string) => {
      if (!lib) return text;
      try {
        return lib.parseDuration(text);
      } catch {
        throw new InvalidArgumentError('--remind must be a duration such as 30m, 6h or 1d.');
      }
    })
    .option('--no-publish', 'do not publish pulse.json and pulse-badge.svg to the bucket')
    .option('--metrics <file>', "write the pulse's figures as Prometheus metrics to FILE, atomically (for the node exporter's textfile collector)")
    .addOption(new Option('--publish-metrics', "also publish the pulse's figures as Prometheus metrics, pulse-metrics.prom (public-read), beside pulse.json").conflicts('publish'))
    .option('--email-config <file>', 'e-mail settings: a Racket hash or JSON (server, port, connect, user, password, from, sending-server)')
    .option('--beat <name>', "this monitor's own task name: counted as healthy, and its heartbeat is recorded after the pulse (and mail) went through")
    .option('--json', 'print the result as JSON instead of the report')
    .option('--concurrency <n>', 'how many heartbeats (store reads) to read at once; sites have their own bound', positiveInteger('--concurrency'))
    .addHelpText(
      'after',
      example([
        'svcmon pulse my-bucket --no-email',
        'svcmon pulse my-bucket --fail-email --email-config email.rktd --beat monitor-1',
        'svcmon pulse ./monitor --json --no-email',
        'svcmon pulse my-bucket --change-email --remind 6h --email-config alerts.rktd --beat monitor-1',
        'svcmon pulse my-bucket --fail-email --beat monitor-1 --metrics /var/lib/node_exporter/textfile_collector/svcmon.prom',
      ]) +
        '\nExit status: 0 healthy, 1 a check failed, 2 usage or configuration error,\n3 the pulse could not finish (store unreachable, mail or a webhook failed).\n',
    )
    .action(run('pulse', async () => (await import('./commands/pulse.js')).pulseCommand));

  // svcmon config <sub>
  const config = prepare(program.command('config'))
    .description("read and edit the configuration (config.rktd) and the dashboard")
    .addHelpText(
      'after',
      example([
        'svcmon config set-task my-bucket nightly-build --period 86400',
        'svcmon config show my-bucket',
      ]) + '\nExit status: 0 success, 1 store error (including a missing config without --force), 2 usage or validation error.\n',
    );
  addConfigCommands(config, prepare, run, lib);

  // svcmon demo [dir]
  prepare(program.command('demo'))
    .description('create a local demo monitor (tasks, sites, heartbeats), take a pulse and show the report')
    .argument('[dir]', 'directory to create', './demo-monitor')
    .addHelpText('after', example(['svcmon demo', 'svcmon demo /tmp/my-demo']))
    .action(run('demo', async () => (await import('./commands/demo.js')).demoCommand));

  return program;
}

type Prepare = (cmd: Command) => Command;
type Run = (
  kind: CommandKind,
  load: () => Promise<(io: Io, ...args: never[]) => Promise<number>>,
) => (...args: unknown[]) => Promise<void>;

/** `--max-duration` → `maxDuration`: the name commander gives the option's value. */
export function attributeOf(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * The flags of `set-…` for the keys the schema marks as flags: name, placeholder, help, default
 * and the check of the value all come from the key's declaration.
 */
function keyFlags(cmd: Command, schema: Schema | undefined, kind: 'task' | 'site' | 'email' | 'html'): Command {
  if (!schema) return cmd;
  for (const [key, decl] of Object.entries(schema[kind].keys)) {
    if (!decl.flag) continue;
    const name = key.replace(/\?$/, '');
    const dflt =
      decl.inherits !== undefined
        ? ` (default: the config's ${decl.inherits}, else ${String(decl.default)})`
        : decl.default !== undefined
          ? ` (default: ${String(decl.default)})`
          : '';
    if (decl.type.arg === undefined) {
      cmd.option(`--${name}`, `${decl.help}${dflt}`);
      cmd.option(`--no-${name}`, `the opposite of --${name}`);
      continue;
    }
    const parse = (text: string): unknown => {
      const v = decl.type.parse(text);
      if (v === undefined) throw new InvalidArgumentError(`--${name} must be ${decl.type.want}.`);
      return v;
    };
    // set-html replaces the settings as a whole: its one key is required.
    if (kind === 'html') cmd.requiredOption(`--${name} <${decl.type.arg}>`, `${decl.help}${dflt}`, parse);
    else cmd.option(`--${name} <${decl.type.arg}>`, `${decl.help}${dflt}`, parse);
  }
  return cmd;
}

function addConfigCommands(config: Command, prepare: Prepare, run: Run, lib: Lib | undefined): void {
  const schema = lib?.SCHEMA;
  const load = (name: keyof typeof import('./commands/config.js')) =>
    run('config', async () => (await import('./commands/config.js'))[name] as never);

  const sub = (name: string, description: string) => prepare(config.command(name)).description(description);
  const force = (cmd: Command) =>
    cmd.option('--force', 'treat a missing config.rktd as an empty configuration');
  const skipHtml = (cmd: Command) =>
    cmd.option('--skip-html', 'do not re-upload the dashboard (index.html, style.css, script.js)');
  const json = (cmd: Command) => cmd.option('--json', 'print JSON instead of Racket data');

  const entity = (
    what: 'task' | 'site' | 'email',
    arg: string,
    argHelp: string,
    exampleValue: string,
    setOptions: (cmd: Command) => Command,
    setExample: string,
  ) => {
    json(force(storeFlags(sub(`get-${what}`, `print the ${what === 'email' ? 'e-mail' : what} entry (#f when there is none)`).argument('<where>', WHERE_HELP).argument(arg, argHelp))))
      .addHelpText('after', example([`svcmon config get-${what} my-bucket ${exampleValue}`, `svcmon config get-${what} ./monitor ${exampleValue} --json`]))
      .action(load(`get${cap(what)}` as never));
    setOptions(skipHtml(force(storeFlags(sub(`set-${what}`, `add the ${what === 'email' ? 'e-mail recipient' : what}, or replace the one with the same ${argHelp.split(' ').pop()} (it goes first)`).argument('<where>', WHERE_HELP).argument(arg, argHelp)))))
      .addHelpText('after', example([setExample]))
      .action(load(`set${cap(what)}` as never));
    skipHtml(storeFlags(sub(`remove-${what}`, `remove the ${what === 'email' ? 'e-mail recipient' : what}`).argument('<where>', WHERE_HELP).argument(arg, argHelp)))
      .addHelpText('after', example([`svcmon config remove-${what} my-bucket ${exampleValue}`]))
      .action(load(`remove${cap(what)}` as never));
  };

  entity('task', '<name>', 'the task name', 'nightly-build',
    (cmd) => keyFlags(cmd, schema, 'task'),
    'svcmon config set-task my-bucket nightly-build --schedule "0 3 * * *" --tz Europe/Berlin --grace 1800');
  skipHtml(storeFlags(sub('pause-task', 'pause a task: reported as paused (healthy) until --until, or until resume-task').argument('<where>', WHERE_HELP).argument('<name>', 'the task name')))
    .option('--until <time>', 'when the pause ends: 2026-12-01T06:00:00Z, 2026-12-01 (UTC), 2h, 3d, or @<unix seconds>', (v: string) => (lib ? parseUntil(v, lib.parseDuration) : v))
    .addHelpText('after', example(['svcmon config pause-task my-bucket nightly-build --until 3d']))
    .action(run('config', async () => (await import('./commands/pause.js')).pauseTask as never));
  skipHtml(storeFlags(sub('resume-task', 'resume a paused task').argument('<where>', WHERE_HELP).argument('<name>', 'the task name')))
    .addHelpText('after', example(['svcmon config resume-task my-bucket nightly-build']))
    .action(run('config', async () => (await import('./commands/pause.js')).resumeTask as never));
  entity('site', '<url>', 'the URL', 'https://example.com/',
    (cmd) => keyFlags(cmd, schema, 'site'),
    'svcmon config set-site my-bucket https://example.com/ --timeout 10 --status 200 --contains Welcome --max-ms 2000 --failures 3');
  entity('email', '<to>', 'the e-mail address', 'ops@example.com',
    (cmd) => keyFlags(cmd, schema, 'email'),
    'svcmon config set-email my-bucket oncall@example.com --no-on-success');

  json(force(storeFlags(sub('get-html', 'print the dashboard settings (#f when there are none)').argument('<where>', WHERE_HELP))))
    .addHelpText('after', example(['svcmon config get-html my-bucket']))
    .action(load('getHtml'));
  keyFlags(skipHtml(force(storeFlags(sub('set-html', 'set the dashboard title').argument('<where>', WHERE_HELP)))), schema, 'html')
    .addHelpText('after', example(['svcmon config set-html my-bucket --title "Example Service Monitor"']))
    .action(load('setHtml'));
  force(storeFlags(sub('publish-dashboard', 'render the dashboard from config.rktd and upload it, config untouched (after --skip-html edits, or edits by the original)').argument('<where>', WHERE_HELP)))
    .addHelpText('after', example(['svcmon config publish-dashboard my-bucket']))
    .action(load('publishDashboard'));
  json(force(storeFlags(sub('show', 'print the whole configuration readably').argument('<where>', WHERE_HELP))))
    .addHelpText('after', example(['svcmon config show my-bucket', 'svcmon config show ./monitor --json']))
    .action(load('show'));
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

