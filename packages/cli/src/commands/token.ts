import type { Command } from 'commander';
import { openDb } from '@sciboard/runs';
import { UsageError } from '../main.ts';
import { cliEnv } from '../env.ts';

export function register(program: Command): void {
  const token = program.command('token').description('Create, list and revoke the API tokens that submit through the site');
  token
    .command('create')
    .description('Create a token; it is printed once and only its sha256 is stored')
    .requiredOption('--name <name>', 'who or what the token is for')
    .action(async (opts: { name: string }) => {
      if (!opts.name.trim()) throw new UsageError('--name must not be empty');
      const store = await openDb(cliEnv().database);
      try {
        const created = await store.createApiToken(opts.name);
        process.stderr.write(`token ${created.id} (${created.name}) created; store it now, it cannot be shown again:\n`);
        process.stdout.write(`${created.token}\n`);
      } finally {
        await store.close();
      }
    });
  token
    .command('list')
    .description('List tokens (never their secrets)')
    .action(async () => {
      const store = await openDb(cliEnv().database);
      try {
        const tokens = await store.listApiTokens();
        if (tokens.length === 0) process.stdout.write('no tokens\n');
        for (const t of tokens) process.stdout.write(`${t.id}\t${t.name}\tcreated ${t.createdAt}\t${t.revokedAt ? `revoked ${t.revokedAt}` : 'active'}\n`);
      } finally {
        await store.close();
      }
    });
  token
    .command('revoke')
    .description('Revoke a token by its id; requests carrying it are refused from then on')
    .argument('<id>', 'token id (see `sciboard token list`)')
    .action(async (idText: string) => {
      const id = Number(idText);
      if (!Number.isInteger(id) || id < 1) throw new UsageError(`token id must be a positive integer, got "${idText}"`);
      const store = await openDb(cliEnv().database);
      try {
        if (!(await store.revokeApiToken(id))) throw new Error(`no active token with id ${id}`);
        process.stdout.write(`token ${id} revoked\n`);
      } finally {
        await store.close();
      }
    });
}
