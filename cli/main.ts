import { audit } from './commands/audit';
import { demo } from './commands/demo';
import { diagnose } from './commands/diagnose';
import { explain } from './commands/explain';
import { lint } from './commands/lint';
import { remedy } from './commands/remedy';
import { rules } from './commands/rules';
import { echo, terminalSafe } from './terminal';
import { type Command, type Io, UsageError } from './usage';

const commands: Command[] = [explain, diagnose, remedy, lint, audit, demo, rules];

const overview = `ecs-medic: says why an Amazon ECS task or service failed, with evidence and the exact fix.

Usage: ecs-medic <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join('\n')}

Run "ecs-medic <command> --help" for a command's options.`;

/** Runs one CLI invocation; returns the exit status. Never throws. */
export async function main(argv: string[], terminal: Io): Promise<number> {
  // Input and AWS text reach every line: none may drive the terminal.
  const io = terminalSafe(terminal);
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(overview);
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  try {
    if (!command) throw new UsageError(`unknown command "${echo(name)}"; run "ecs-medic --help" for the list`);
    if (args.includes('--help') || args.includes('-h')) {
      io.out(command.help);
      return 0;
    }
    return await command.run(args, io);
  } catch (error) {
    // parseArgs reports unknown or malformed options with a code; both are usage errors.
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    io.err(`ecs-medic: ${usage ? '' : 'internal error: '}${(error as Error).message}`);
    return 2;
  }
}
