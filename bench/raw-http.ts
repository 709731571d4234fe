/**
 * A minimal keep-alive HTTP/1.1 client for bench:ingest's timed requests: requests written as one
 * pre-formatted string on a plain net.Socket, answers read by Content-Length. The load generator
 * shares the two cores with the server it measures, so it should cost as little as it can (as
 * wrk does in C): with node:http's client the whole generator took ≈ 0.3 ms of CPU per batch,
 * about a fifth of the machine's CPU per batch; with this client 0.13–0.15 ms (2026-12-05, measured
 * together with the group insert, docs/benchmarks.md).
 *
 * Sockets are pooled (at most `maxSockets`, as node:http's Agent): a request takes an idle socket,
 * else opens one, else waits its turn (that wait counts in its latency, as in a browser). Idle
 * sockets close after `idleMs`, before the server's keep-alive timeout would. Only what the bench
 * needs: POST with a JSON body, answers with Content-Length (no chunked encoding), no redirects.
 */
import net from 'node:net';

export interface RawAnswer {
  status: number;
  text: string;
}

interface Waiter {
  head: string;
  body: string;
  resolve: (a: RawAnswer) => void;
  reject: (err: Error) => void;
}

class Conn {
  readonly socket: net.Socket;
  private buf: Buffer = Buffer.alloc(0);
  private current: Waiter | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  closed = false;

  constructor(private readonly pool: RawHttpPool, port: number, host: string) {
    this.socket = net.connect(port, host);
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    const fail = (err: Error) => this.close(err);
    this.socket.on('error', fail);
    this.socket.on('close', () => this.close(Object.assign(new Error('socket closed'), { code: 'ECONNRESET' })));
  }

  send(w: Waiter): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    this.current = w;
    this.socket.write(w.head + w.body);
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const end = this.buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = this.buf.toString('latin1', 0, end);
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!length) return this.close(new Error(`answer without Content-Length: ${head.split('\r\n')[0]}`));
    const total = end + 4 + Number(length[1]);
    if (this.buf.length < total) return;
    const text = this.buf.toString('utf8', end + 4, total);
    this.buf = this.buf.subarray(total);
    const w = this.current;
    this.current = null;
    const keep = !/\r\nconnection:\s*close/i.test(head);
    if (!keep) this.close(null);
    w?.resolve({ status: Number(head.slice(9, 12)), text });
    if (keep) this.pool.release(this);
  }

  idle(ms: number): void {
    this.idleTimer = setTimeout(() => this.close(null), ms);
  }

  close(err: Error | null): void {
    if (this.closed) return;
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.socket.destroy();
    const w = this.current;
    this.current = null;
    this.pool.forget(this);
    if (w) w.reject(err ?? Object.assign(new Error('socket closed'), { code: 'ECONNRESET' }));
  }
}

export class RawHttpPool {
  private readonly idleConns: Conn[] = [];
  private readonly queue: Waiter[] = [];
  private open = 0;

  constructor(
    private readonly port: number,
    private readonly host: string,
    private readonly maxSockets: number,
    private readonly idleMs = 4000,
  ) {}

  /** POST `body` (a JSON string) to `path` with extra header lines (e.g. 'X-Session-Token: …'). */
  post(path: string, body: string, headers: string): Promise<RawAnswer> {
    const head = `POST ${path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${headers}\r\n`;
    return new Promise<RawAnswer>((resolve, reject) => {
      const w: Waiter = { head, body, resolve, reject };
      const conn = this.idleConns.pop();
      if (conn) conn.send(w);
      else if (this.open < this.maxSockets) {
        this.open++;
        new Conn(this, this.port, this.host).send(w);
      } else this.queue.push(w);
    });
  }

  release(conn: Conn): void {
    const next = this.queue.shift();
    if (next) conn.send(next);
    else {
      conn.idle(this.idleMs);
      this.idleConns.push(conn);
    }
  }

  forget(conn: Conn): void {
    this.open--;
    const i = this.idleConns.indexOf(conn);
    if (i >= 0) this.idleConns.splice(i, 1);
    const next = this.queue.shift();
    if (next) {
      this.open++;
      new Conn(this, this.port, this.host).send(next);
    }
  }

  destroy(): void {
    for (const c of [...this.idleConns]) c.close(null);
  }
}
