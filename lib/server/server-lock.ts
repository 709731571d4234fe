/**
 * One `npm start` per DATA_DIR on the embedded database: DATA_DIR/server.pid names the live
 * server. A second start is refused in one line naming that PID; a file left by a server that
 * died (kill -9, power loss) is stale and replaced. Workers and CLI commands do not take it:
 * they attach to the same embedded PostgreSQL beside the server.
 */
import fs from 'node:fs';
import path from 'node:path';
import { selfTag, tagIsLive, tagOwner } from '@/lib/process-tag';
import { BootError } from './boot';

export function claimDataDir(dataDir: string): void {
  const file = path.join(dataDir, 'server.pid');
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx', 0o644);
      fs.writeSync(fd, selfTag());
      fs.closeSync(fd);
      const release = () => {
        try {
          if (fs.readFileSync(file, 'utf8') === selfTag()) fs.rmSync(file, { force: true });
        } catch {
          // already gone
        }
      };
      process.once('exit', release);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder = '';
    try {
      holder = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    if (holder.trim() === '' && Date.now() - (fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0) < 2000) {
      // Another start has just created the file and is writing its tag.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
      attempt -= 1;
      continue;
    }
    if (holder.trim() !== '' && tagIsLive(holder)) {
      throw new BootError(`DATA_DIR ${dataDir} is in use by a running gazebench server (PID ${tagOwner(holder)}); stop it first or set another DATA_DIR`);
    }
    fs.rmSync(file, { force: true });
  }
  throw new BootError(`DATA_DIR ${dataDir}: cannot claim ${file}`);
}
