// The router: one catch at the top turns every error into one line and an
// exit code. The common case of a job's heartbeat (`svcmon beat <where>
// <task>`, the command that runs most often, from cron) skips commander.
import { classifyError, debugLines, type CommandKind } from './errors.js';
import { createIo, type Io, type IoOptions } from './_io.js';
import type { State } from './_program.js';

export type MainOptions = IoOptions;

/** `beat <where> <task>` with only --region/--endpoint/--no-acl; anything else goes through commander. */
function plainBeat(argv: readonly string[]): { where: string; task: string; flags: { region?: string; endpoint?: string; acl?: boolean } } | null {
  if (argv[0] !== 'beat') return null;
  const positionals: string[] = [];
  const flags: { region?: string; endpoint?: string; acl?: boolean } = {};
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--(region|endpoint)(?:=(.*))?$/.exec(arg);
    if (m) {
      const value = m[2] ?? argv[++i];
      if (value === undefined || value.startsWith('-') || flags[m[1] as 'region' | 'endpoint'] !== undefined) return null;
      flags[m[1] as 'region' | 'endpoint'] = value;
    } else if (arg === '--no-acl') {
      flags.acl = false;
    } else if (arg.startsWith('-')) {
      return null; // --help, --debug, typos, `--`: let commander answer
    } else {
      positionals.push(arg);
    }
  }
  if (positionals.length !== 2) return null;
  return { where: positionals[0]!, task: positionals[1]!, flags };
}

/**
 * Runs `svcmon` with the given arguments (without `node` and the script) and
 * resolves to the exit code. Never throws; errors are reported on stderr.
 */
export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
  const io = createIo(options);
  const state: State = { exitCode: 0, command: 'none' };
  const debug = argv.includes('--debug');
  try {
    const beat = plainBeat(argv);
    if (beat) {
      state.command = 'beat';
      const { beatCommand } = await import('./commands/beat.js');
      return await beatCommand(io, beat.where, beat.task, beat.flags);
    }
    if (argv[0] === 'run') {
      // Everything after `--` belongs to the job: parsed by the command itself, without commander.
      state.command = 'run';
      const { runCommand } = await import('./commands/run.js');
      return await runCommand(io, argv.slice(1));
    }
    const { buildProgram } = await import('./_program.js');
    // The config's schema gives `svcmon config set-…` its flags, and --remind takes the one
    // duration parser; other commands (and --help) do not load the store.
    const lib = argv.includes('config') || argv.includes('pulse') ? await import('@svcmon/store') : undefined;
    const program = buildProgram(io, state, lib);
    await program.parseAsync([...argv], { from: 'user' });
    return state.exitCode;
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      const exitCode = (error as { exitCode?: number }).exitCode;
      // help and --version exit 0; every parse error is a usage error (2).
      return exitCode === 0 ? 0 : 2;
    }
    return reportError(io, error, state.command, debug);
  }
}

function reportError(io: Io, error: unknown, command: CommandKind, debug: boolean): number {
  const verdict = classifyError(error, command);
  const c = io.errColor;
  const hint = verdict.hint ? ` ${c.dim(`(${verdict.hint})`)}` : '';
  if (verdict.known) {
    io.err(`${c.red('svcmon: error:')} ${verdict.message}${hint}`);
  } else {
    io.err(
      `${c.red('svcmon: unexpected error:')} ${verdict.message} ${c.dim('(this is a bug, please report it with --debug output)')}`,
    );
  }
  if (debug) for (const line of debugLines(error)) io.err(line);
  return verdict.exitCode;
}
