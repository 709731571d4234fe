/**
 * IndexedDB BatchStore: unsent sample batches of one participant session survive a reload or a
 * dropped connection. One database per session (`gazebench-upload-<sessionId>`), deleted whole
 * at the end of the session or on withdrawal so that nothing is left in the browser.
 * Browser only; the queue logic is tested in Node with MemoryBatchStore and this store through
 * the e2e reload test.
 */
import type { PendingBatch } from './sample-batcher';
import type { BatchStore } from './upload-queue';

const STORE = 'batches';

export function uploadDbName(sessionId: string): string {
  return `gazebench-upload-${sessionId}`;
}

function promisify<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
  });
}

export class IdbBatchStore implements BatchStore {
  private dbPromise: Promise<IDBDatabase> | null = null;

  constructor(private readonly sessionId: string) {}

  private db(): Promise<IDBDatabase> {
    if (!this.dbPromise) {
      this.dbPromise = new Promise((resolve, reject) => {
        const req = indexedDB.open(uploadDbName(this.sessionId), 1);
        req.onupgradeneeded = () => {
          if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE, { keyPath: 'seq' });
        };
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error ?? new Error('cannot open IndexedDB'));
        req.onblocked = () => reject(new Error('IndexedDB open blocked'));
      });
    }
    return this.dbPromise;
  }

  async put(batch: PendingBatch): Promise<void> {
    const tx = (await this.db()).transaction(STORE, 'readwrite');
    tx.objectStore(STORE).put(batch);
    await done(tx);
  }

  async delete(seq: number): Promise<void> {
    const tx = (await this.db()).transaction(STORE, 'readwrite');
    tx.objectStore(STORE).delete(seq);
    await done(tx);
  }

  async list(): Promise<PendingBatch[]> {
    const tx = (await this.db()).transaction(STORE, 'readonly');
    const all = await promisify(tx.objectStore(STORE).getAll() as IDBRequest<PendingBatch[]>);
    return all.sort((a, b) => a.seq - b.seq);
  }

  async clear(): Promise<void> {
    const tx = (await this.db()).transaction(STORE, 'readwrite');
    tx.objectStore(STORE).clear();
    await done(tx);
  }

  /** Closes and deletes this session's database. */
  async destroy(): Promise<void> {
    if (this.dbPromise) {
      const db = await this.dbPromise.catch(() => null);
      db?.close();
      this.dbPromise = null;
    }
    await deleteUploadDb(this.sessionId);
  }
}

export function deleteUploadDb(sessionId: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.deleteDatabase(uploadDbName(sessionId));
    req.onsuccess = () => resolve();
    req.onerror = () => reject(req.error ?? new Error('cannot delete IndexedDB database'));
    // Another tab holding it open: the deletion completes when it closes; nothing to wait for.
    req.onblocked = () => resolve();
  });
}
