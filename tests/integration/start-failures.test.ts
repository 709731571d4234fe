/**
 * `npm start` must fail fast with one clear line and a non-zero exit when it
 * cannot run: port taken, DATA_DIR not writable, database unreachable.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
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

  it('when several web processes are asked for on embedded PGlite', () => {
    const r = start({ DATA_DIR: tempDir(), WEB_PROCESSES: '2' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('gazebench: configuration: WEB_PROCESSES: 2 web processes need DATABASE_URL (embedded PGlite serves one process)');
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
