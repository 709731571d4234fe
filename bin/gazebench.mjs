#!/usr/bin/env node
// Launcher for the gazebench CLI: registers tsx (TypeScript loader, tsx 4 `tsx/esm/api`) with the
// project's tsconfig, so the `@/` alias resolves from any working directory, then runs
// lib/cli/main.ts. Exit code: what the command returns (0 ok, 1 check failed, 2 bad input).
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

// A closed pipe (`gazebench score ... | head`) is not an error of the command: stop quietly.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
const { main } = await import('../lib/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
