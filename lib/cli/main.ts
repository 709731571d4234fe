/**
 * `gazebench` command-line entry: dispatches `gazebench <command> [args]` to lib/cli/<command>.ts.
 *
 * Contract for every command module: it exports `run(argv: string[]): Promise<number>` returning
 * the exit code (0 success, 1 a check failed, 2 bad input or usage). A command may also simply
 * throw on bad input: `main` turns MetricError, file-format errors, unreadable files and bad JSON
 * into one line on stderr and exit code 2. Anything else is a bug and propagates (exit 1 with a
 * stack trace from the launcher).
 *
 * To add a command: write lib/cli/<name>.ts exporting `run`, and add one line to COMMANDS. Modules
 * are imported lazily so a command that loads TF.js does not slow down the others.
 */
import { MetricError } from '../metrics/errors';
import { GridFileError } from '../io/grid-file';
import { NpyError } from '../io/npy';

export type CommandRun = (argv: string[]) => Promise<number>;

interface CommandEntry {
  readonly summary: string;
  readonly load: () => Promise<{ run: CommandRun }>;
}

export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  score: { summary: 'score saliency maps against gaze ground truth (bundle or single pair)', load: () => import('./score') },
  'verify-metrics': { summary: 'recompute a reference bundle and compare with its expected values', load: () => import('./verify-metrics') },
  evaluate: { summary: 'insertion, deletion, ROAD and ADIC of a saliency map for a TF.js model (no ground truth)', load: () => import('./evaluate') },
  explain: { summary: 'saliency maps of a TF.js model for images (Grad-CAM, FEM, RISE, LIME, …) as JSON, NPY, PNG', load: () => import('./explain') },
  sanity: { summary: 'model-randomisation sanity check of explanation methods (Adebayo et al. 2018)', load: () => import('./sanity') },
  'create-admin': { summary: 'create the first admin account (or make an account an admin)', load: () => import('./create-admin') },
  fixations: { summary: 'detect fixations (I-DT or I-VT) in a CSV of gaze samples', load: () => import('./fixations') },
  import: { summary: "import a lab's ground truth (fixations CSV, density maps) into a dataset", load: () => import('./import') },
  backup: { summary: 'back up the database and its files into one archive (safe while the server runs)', load: () => import('./backup') },
  restore: { summary: 'restore a backup into an empty DATA_DIR or database', load: () => import('./restore') },
  submit: { summary: 'upload a folder of saliency maps to a run on a Gazebench server', load: () => import('./submit') },
};

/** Thrown by commands for a usage problem (bad flag combination, unknown metric name). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return ['Usage: gazebench <command> [options]', '', 'Commands:', ...lines, '', "Run 'gazebench <command> --help' for a command's options."].join('\n');
}

const FILE_ERROR_CODES = new Set(['ENOENT', 'EACCES', 'EISDIR', 'ENOTDIR', 'EPERM', 'EMFILE']);

/** Errors caused by the user's input rather than by a bug: reported in one line, exit 2. */
export function isInputError(error: unknown): error is Error {
  if (error instanceof MetricError || error instanceof GridFileError || error instanceof NpyError) return true;
  if (error instanceof UsageError || error instanceof SyntaxError) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  return code !== undefined && (FILE_ERROR_CODES.has(code) || code.startsWith('ERR_PARSE_ARGS'));
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    process.stderr.write(`${usage()}\n`);
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (entry === undefined) {
    process.stderr.write(`gazebench: unknown command '${name}'\n\n${usage()}\n`);
    return 2;
  }
  try {
    const { run } = await entry.load();
    return await run(rest);
  } catch (error) {
    // A database that cannot be opened (port, permissions, another major version) is one line too.
    const [{ BootError }, { DatabaseConnectError }] = await Promise.all([import('../server/boot'), import('../../db/client')]);
    if (error instanceof BootError || error instanceof DatabaseConnectError) {
      process.stderr.write(`gazebench ${name}: ${error.message.split('\n')[0]}\n`);
      return 1;
    }
    if (!isInputError(error)) throw error;
    process.stderr.write(`gazebench ${name}: ${error.message.split('\n')[0]}\n`);
    return 2;
  }
}
