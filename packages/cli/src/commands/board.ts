import type { Command } from 'commander';
import { boardFormat, BOARD_FORMATS, boards, buildBoard, findBoard, openDb, readBoardInputs } from '@sciboard/runs';
import { UsageError } from '../main.ts';
import { cliEnv } from '../env.ts';

export function register(program: Command): void {
  program
    .command('board')
    .description('Print a leaderboard (the same rows, marks and averages as the site and its JSON API)')
    .argument('<board>', Object.keys(boards).join(' or '))
    .option('--format <format>', Object.keys(BOARD_FORMATS).join(', '), 'table')
    .option('--normalise', 'accuracy rescaled to each column\'s random-guess baseline b: (raw − b) / (1 − b); b = 1/choices, SciEval\'s weighs its item types')
    .option('--hide-flagged', 'leave out models or cells flagged as questionable')
    .option('--columns <names>', 'comma-separated columns to show; the average is recomputed over them')
    .action(async (boardId: string, opts: { format: string; normalise?: boolean; hideFlagged?: boolean; columns?: string }) => {
      const board = findBoard(boardId);
      if (!board) throw new UsageError(`unknown board "${boardId}": expected ${Object.keys(boards).join(' or ')}`);
      const format = boardFormat(opts.format);
      if (!format) throw new UsageError(`--format must be one of ${Object.keys(BOARD_FORMATS).join(', ')}, got "${opts.format}"`);
      const columns = opts.columns?.split(',').map((c) => c.trim()).filter(Boolean);
      const unknown = columns?.filter((c) => !board.columns.some((col) => col.name === c)) ?? [];
      if (unknown.length > 0) {
        throw new UsageError(`--columns: board "${board.id}" has no column ${unknown.map((c) => `"${c}"`).join(', ')}; expected ${board.columns.map((c) => c.name).join(', ')}`);
      }
      const store = await openDb(cliEnv().database);
      try {
        // A database nobody has loaded reference rows into still shows the paper's numbers.
        const view = buildBoard(board, {
          ...(await readBoardInputs(store, { bundledWhenEmpty: true })),
          normalise: opts.normalise ?? false,
          excludeFlagged: opts.hideFlagged ?? false,
          columns,
        });
        process.stdout.write(format.write(view));
      } finally {
        await store.close();
      }
    });
}
