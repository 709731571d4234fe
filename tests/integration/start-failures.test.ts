/**
 * `npm start` must fail fast with one clear line and a non-zero exit when it
 * cannot run: port taken, DATA_DIR not writable or held by a live server, database unreachable,
 * an embedded cluster of another PostgreSQL major version.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { selfTag } from '@/lib/process-tag';
import { tempDir } from './helpers';

const root = path.resolve(__dirname, '../..');

function start(env: Record<string, string>) {
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(root, 'scripts/start.ts')], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stderr: r.stderr.trim() };
}

async function freePort(): Promise<string> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = String((probe.address() as net.AddressInfo).port);
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('npm start refuses to run, clearly', () => {
  it('when the port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const r = start({ PORT: String(port), HOST: '127.0.0.1', DATA_DIR: tempDir() });
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`gazebench: port ${port} is already in use; set PORT to a free port`);
    } finally {
      blocker.close();
    }
  });

  it('when DATA_DIR is not writable', () => {
    const file = path.join(tempDir(), 'a-file');
    fs.writeFileSync(file, 'x');
    const r = start({ DATA_DIR: path.join(file, 'data') });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^gazebench: DATA_DIR .*a-file\/data is not writable \(ENOTDIR\)/);
    expect(r.stderr.split('\n')).toHaveLength(1);
  });

  it('when DATABASE_URL is unreachable, naming host and cause', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = String((probe.address() as net.AddressInfo).port);
    await new Promise((resolve) => probe.close(resolve));
    const r = start({ DATA_DIR: tempDir(), PORT: port, HOST: '127.0.0.1', DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nope' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^gazebench: database: cannot connect to 127\.0\.0\.1:1\/nope: .*ECONNREFUSED/);
    expect(r.stderr.split('\n')).toHaveLength(1);
  });

  it('when DATABASE_URL is not a postgres URL', () => {
    const r = start({ DATA_DIR: tempDir(), DATABASE_URL: 'mysql://x' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('gazebench: configuration: DATABASE_URL: must start with postgres:// or postgresql://');
  });

  it('when a live server holds DATA_DIR, naming its PID (here: this test process stands in for it)', async () => {
    const dataDir = tempDir();
    fs.writeFileSync(path.join(dataDir, 'server.pid'), selfTag());
    const r = start({ DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: await freePort() });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`gazebench: DATA_DIR ${dataDir} is in use by a running gazebench server (PID ${process.pid}); stop it first or set another DATA_DIR`);
    expect(fs.readFileSync(path.join(dataDir, 'server.pid'), 'utf8')).toBe(selfTag());
    expect(fs.existsSync(path.join(dataDir, 'postgres'))).toBe(false);
  });

  it('when DATA_DIR/postgres was made by another PostgreSQL major version: one line with the upgrade path', async () => {
    const dataDir = tempDir();
    fs.mkdirSync(path.join(dataDir, 'postgres'));
    fs.writeFileSync(path.join(dataDir, 'postgres', 'PG_VERSION'), '16\n');
    const r = start({ DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: await freePort() });
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`${dataDir}/postgres was made by PostgreSQL 16, this Gazebench embeds PostgreSQL 17`);
    expect(r.stderr).toContain('npx gazebench backup --out FILE');
    expect(r.stderr).toContain('npx gazebench restore FILE');
    expect(fs.readdirSync(path.join(dataDir, 'postgres'))).toEqual(['PG_VERSION']);
  });

  it('when WEB_PROCESSES is not a whole number from 1 to 64', () => {
    for (const bad of ['0', '1.5', '65', 'two']) {
      const r = start({ DATA_DIR: tempDir(), WEB_PROCESSES: bad });
      expect(r.status, bad).toBe(1);
      expect(r.stderr, bad).toMatch(/^gazebench: configuration: WEB_PROCESSES: /);
    }
  });

  it('when the e2e build (test-only synthetic gaze source) is asked to serve a non-loopback host', () => {
    const r = start({ GAZEBENCH_E2E_BUILD: '1', HOST: '0.0.0.0', DATA_DIR: tempDir() });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      'gazebench: the e2e build (.next-e2e, GAZEBENCH_E2E_BUILD=1) only serves a loopback HOST, not 0.0.0.0; unset GAZEBENCH_E2E_BUILD',
    );
  });
});
