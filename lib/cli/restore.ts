/** `gazebench restore FILE`: see lib/cli/backup.ts. */
export { restore as run } from './backup';
