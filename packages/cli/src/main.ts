import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { missingDataHint } from './dataDir.ts';
import { cliEnv } from './env.ts';

/** A command module registers itself on the program; main discovers them so commands stay independent. */
export interface CommandModule {
  register(program: Command): void;
}

export class UsageError extends Error {}

const commandsDir = join(dirname(fileURLToPath(import.meta.url)), 'commands');

/**
 * `modules` is the compiled bundle's list (fixed when it is built); from the sources the commands folder is read,
 * so a new command file needs no registration anywhere.
 */
export function buildProgram(modules?: ReadonlyArray<Partial<CommandModule>>): Promise<Command> {
  const program = new Command('sciboard')
    .description('Score language-model checkpoints on science and math suites and publish the leaderboards.')
    .version('0.1.0')
    .exitOverride();
  return (async () => {
    for (const mod of modules ?? (await commandModulesFromSources())) {
      if (typeof mod.register === 'function') mod.register(program);
    }
    // A bad argument gets one line and where to look, not the whole usage after it.
    program.showHelpAfterError("(see 'sciboard --help')");
    const hintAll = (cmds: readonly Command[], prefix: string): void => {
      for (const cmd of cmds) {
        cmd.showHelpAfterError(`(see 'sciboard ${prefix}${cmd.name()} --help')`);
        hintAll(cmd.commands, `${prefix}${cmd.name()} `);
      }
    };
    hintAll(program.commands, '');
    return program;
  })();
}

async function commandModulesFromSources(): Promise<Array<Partial<CommandModule>>> {
  const files = readdirSync(commandsDir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .sort();
  const mods: Array<Partial<CommandModule>> = [];
  for (const f of files) mods.push((await import(pathToFileURL(join(commandsDir, f)).href)) as Partial<CommandModule>);
  return mods;
}

/** Runs the CLI; returns the process exit code. Errors print one clear line, never a stack trace. */
export async function main(argv: string[], modules?: ReadonlyArray<Partial<CommandModule>>): Promise<number> {
  const program = await buildProgram(modules);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    const message = err instanceof Error ? err.message : String(err);
    const hint = missingDataHint(err, argv);
    process.stderr.write(`sciboard: ${message}${hint ? `; ${hint}` : ''}\n`);
    if (err instanceof UsageError) process.stderr.write(`(see 'sciboard ${[...commandPath(program, argv), '--help'].join(' ')}')\n`);
    if (cliEnv().debug && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
}

/** The (sub)command names an argument list starts with, for the hint after a bad argument. */
function commandPath(program: Command, argv: readonly string[]): string[] {
  const path: string[] = [];
  let cmd = program;
  for (const arg of argv) {
    const next = cmd.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (!next) break;
    path.push(next.name());
    cmd = next;
  }
  return path;
}
