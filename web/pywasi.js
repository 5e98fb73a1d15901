// pywasi.js: run WASI programs in a Pyodide worker from a page.
//
//   import { createRuntime } from "./pywasi.js";
//   const rt = await createRuntime({ onProgress: ({ stage, fraction }) => ..., onReady: (info) => ... });
//   const { exitCode, stdout } = await rt.run("/examples/hello.wasm", { args: ["world"] });
//
// run(wasm, options): wasm is bytes (ArrayBuffer/Uint8Array) or a URL. Options: args, env, argv0,
// files ({path: string|Uint8Array|null} mounted at "/"),
// mounts ({guestPath: {files: {path: data | null (a directory) | {symlink: target}}, readOnly}},
// {guestPath: {persistent: "store name", backend: "indexeddb" | "opfs", readOnly}}, see below),
// stdin (string|Uint8Array), interactive (true: stdin stays open for write()/closeStdin()),
// onStdout/onStderr (Uint8Array chunks as they come), onTrace (strace lines), trace, timeoutMs,
// maxMemoryBytes (the guest's linear memory stops growing there: its allocator reports out of memory).
// sockets ([{websocket: url, host, port} | {fetch: origin} | {listen: port}], preopened after the
// mounts) with allow (the origins and host:port pairs they may reach; see docs/browser.md#sockets);
// rt.connect(port) opens a Connection to the running guest's {listen: port} socket.
// Resolves to {exitCode, stdout, stderr (strings), stdoutBytes, stderrBytes, files (every regular file
// by guest path), trees ({guestPath: {path: bytes | null | {symlink}}}), error?, durationMs, startMs (the guest's
// `_start` alone), notice? (set when input could not be interactive)}.
//
// Blocking (a guest waiting for input or sleeping): JSPI where the browser has it, else Atomics.wait
// on a SharedArrayBuffer when the page is cross-origin isolated, else input is not interactive.
// `new Runtime({blocking: "atomics"})` forces the fallback ("none" forces neither); `info.blocking` says
// which one the worker uses. onProgress and onReady fire on every boot: the first one and the new
// worker that kill() (Stop, or a run's timeoutMs) starts.
//
// Persistent stores (IndexedDB by default, or OPFS; JSPI): a mount {persistent: name} is loaded when
// the run starts and written back atomically at fsync, at the close of a written file, at exit and
// on sync(). A store is locked while a run has it mounted: another tab (or run) mounting it gets an
// error at once. A full quota gives the guest ENOSPC and the run `error` (nothing stored is lost).
// stores(), clearStore(name), exportStore(name) (.tar bytes) and importStore(name, tarBytes) manage
// them (a last argument picks the backend); each rejects with a clear Error.

const decoder = () => new TextDecoder("utf-8", { fatal: false });
const KILL_GRACE_MS = 500;

export class Runtime {
  constructor({ baseURL, onProgress, onReady, blocking } = {}) {
    this.baseURL = new URL(baseURL ?? "./", import.meta.url);
    this.onProgress = onProgress ?? (() => {});
    this.onReady = onReady ?? (() => {});
    this.blocking = blocking ?? "auto";
    this.info = null;
    this._nextId = 1;
    this._current = null;
    this._queue = Promise.resolve();
    this._requests = new Map(); // id -> {resolve, reject} of sync/store requests
    this._connections = new Map(); // conn -> Connection to a guest's listening socket
    this._nextConn = 1;
    this._start();
  }

  _start() {
    this.worker = new Worker(new URL("worker.js", this.baseURL), { type: "module" });
    this.ready = new Promise((resolve, reject) => {
      this._readyResolve = resolve;
      this._readyReject = reject;
    });
    this.worker.onmessage = (event) => this._onMessage(event.data);
    this._stdin = StdinChannel.create();
    this.worker.postMessage({ type: "init", blocking: this.blocking, channel: this._stdin?.buffer });
    this.worker.onerror = (event) => {
      const error = new Error(`pywasi worker failed: ${event.message || "error"}`);
      this._readyReject(error);
      if (this._current) this._current.reject(error);
    };
  }

  _onMessage(message) {
    const current = this._current;
    switch (message.type) {
      case "progress":
        this.onProgress(message);
        break;
      case "ready":
        this.info = message;
        this._readyResolve(message);
        this.onReady(message);
        break;
      case "error":
        this._readyReject(new Error(message.message));
        break;
      case "stdout":
      case "stderr":
        if (current && current.id === message.id) current.chunk(message.type, message.data);
        break;
      case "trace":
        if (current && current.id === message.id && current.options.onTrace) current.options.onTrace(message.line);
        break;
      case "exit":
        if (current && current.id === message.id) current.finish(message);
        break;
      case "net":
        if (current && current.id === message.id) this._onNet(current, message);
        break;
      case "reply": {
        const request = this._requests.get(message.id);
        this._requests.delete(message.id);
        if (!request) break;
        if (message.error) request.reject(new Error(message.error));
        else request.resolve(message.value);
        break;
      }
    }
  }

  /** Run a guest; runs are queued, one at a time. */
  run(wasm, options = {}) {
    const job = this._queue.then(() => this._run(wasm, options));
    this._queue = job.catch(() => {});
    return job;
  }

  async _run(wasm, options) {
    let bytes = wasm;
    if (typeof wasm === "string" || wasm instanceof URL) {
      const response = await fetch(new URL(wasm, this.baseURL));
      if (!response.ok) throw new Error(`cannot fetch ${wasm}: ${response.status}`);
      bytes = await response.arrayBuffer();
    }
    bytes = bytes instanceof Uint8Array ? bytes.slice() : new Uint8Array(bytes.slice(0));
    await this.ready;
    const id = this._nextId++;
    const { onStdout, onStderr, onTrace, timeoutMs, ...rest } = options;
    return new Promise((resolve, reject) => {
      const chunks = { stdout: [], stderr: [] };
      let killTimer = null;
      const done = () => {
        clearTimeout(killTimer);
        this._current = null;
        this._endConnections();
      };
      this._current = {
        id,
        options,
        chunk(kind, data) {
          chunks[kind].push(data);
          const callback = kind === "stdout" ? onStdout : onStderr;
          if (callback) callback(data);
        },
        finish(message) {
          done();
          const stdoutBytes = message.stdout ?? concat(chunks.stdout);
          const stderrBytes = message.stderr ?? concat(chunks.stderr);
          resolve({
            exitCode: message.exitCode,
            stdout: decoder().decode(stdoutBytes),
            stderr: decoder().decode(stderrBytes),
            stdoutBytes,
            stderrBytes,
            files: message.files ?? {},
            trees: message.trees ?? {},
            error: message.error,
            durationMs: message.durationMs,
            startMs: message.startMs,
            notice: message.notice,
          });
        },
        killed(reason) {
          done();
          const stdoutBytes = concat(chunks.stdout);
          const stderrBytes = concat(chunks.stderr);
          resolve({
            exitCode: 124,
            stdout: decoder().decode(stdoutBytes),
            stderr: decoder().decode(stderrBytes),
            stdoutBytes,
            stderrBytes,
            files: {},
            error: { kind: "timeout", message: reason },
          });
        },
        reject(error) {
          done();
          reject(error);
        },
      };
      if (timeoutMs) {
        // The worker cancels a waiting guest at timeoutMs; one that computes is stopped by a restart.
        killTimer = setTimeout(
          () => this.kill(`the guest ran longer than ${timeoutMs / 1000} s`),
          timeoutMs + KILL_GRACE_MS,
        );
      }
      if (this._usesChannel()) this._stdin.reset();
      this.worker.postMessage({ type: "run", id, wasm: bytes, options: { ...rest, timeoutMs } }, [bytes.buffer]);
    });
  }

  /** Write the running guest's persistent mounts back now (a no-op when nothing runs). */
  sync() {
    return this._request({ type: "sync" });
  }

  /** The names of this origin's persistent stores (backend: "indexeddb", the default, or "opfs"). */
  stores(backend) {
    return this._request({ type: "store", operation: "list", backend });
  }

  /** Delete a persistent store (refused while a run, here or in another tab, has it mounted). */
  clearStore(name, backend) {
    return this._request({ type: "store", operation: "clear", name, backend });
  }

  /** A persistent store's files as .tar bytes (Uint8Array). */
  exportStore(name, backend) {
    return this._request({ type: "store", operation: "export", name, backend });
  }

  /** Replace a store's content with a .tar archive's (one atomic write-back). */
  importStore(name, tarBytes, backend) {
    const data = tarBytes instanceof Uint8Array ? tarBytes : new Uint8Array(tarBytes);
    return this._request({ type: "store", operation: "import", name, data, backend });
  }

  async _request(message) {
    await this.ready;
    const id = this._nextId++;
    return new Promise((resolve, reject) => {
      this._requests.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id });
    });
  }

  /** Send input to the running guest (an interactive run). */
  write(chunk) {
    if (this._usesChannel()) this._stdin.write(typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk);
    else this.worker.postMessage({ type: "stdin", data: chunk });
  }

  /** End the running guest's stdin (it reads end-of-file). */
  closeStdin() {
    if (this._usesChannel()) this._stdin.close();
    else this.worker.postMessage({ type: "closeStdin" });
  }

  /**
   * A duplex stream to the running guest's listening socket on `port` (a `{listen: port}` socket),
   * which the guest takes with accept(). It may be called before the guest starts: it connects once
   * the run announces its listening sockets, and is refused when the run has none on `port`.
   */
  connect(port) {
    const connection = new Connection(this, this._nextConn++, port);
    this._connections.set(connection.conn, connection);
    if (this._current?.listening?.includes(port)) connection._open();
    return connection;
  }

  _onNet(current, message) {
    if (message.action === "listening") {
      current.listening = message.ports;
      for (const connection of this._connections.values()) {
        if (connection.opened) continue;
        if (message.ports.includes(connection.port)) connection._open();
        else connection._finish(new Error(`connection refused: no guest listens on port ${connection.port}`));
      }
      return;
    }
    const connection = this._connections.get(message.conn);
    if (!connection) return;
    if (message.action === "data") connection._push(message.data);
    else if (message.action === "end") connection._finish(null);
    else if (message.action === "refused") connection._finish(new Error(`connection refused: ${message.message}`));
  }

  /** The run is over: open connections end, waiting ones are refused. */
  _endConnections() {
    for (const connection of this._connections.values()) {
      connection._finish(connection.opened ? null : new Error(`connection refused: no guest listens on port ${connection.port}`));
    }
    this._connections.clear();
  }

  /** A guest blocked in Atomics.wait cannot receive messages: its input goes through the channel. */
  _usesChannel() {
    return this.info?.blocking === "atomics";
  }

  /** Stop everything: terminate the worker (the running guest ends with exit code 124) and boot a new one. */
  kill(reason = "killed") {
    this.worker.terminate();
    const current = this._current;
    this.info = null;
    this.onProgress({ stage: "restarting after a kill", fraction: 0 });
    this._start();
    if (current) current.killed(reason);
    for (const request of this._requests.values()) request.reject(new Error(`the worker was stopped: ${reason}`));
    this._requests.clear();
  }
}

/**
 * The page's end of a connection to a guest (Runtime.connect): write(string|bytes), close() (the guest
 * reads end of file and may still answer), read() (the next Uint8Array, or null at the end; rejects
 * when the connection was refused), readAll() (every byte until the end, as one Uint8Array).
 */
export class Connection {
  constructor(runtime, conn, port) {
    this.runtime = runtime;
    this.conn = conn;
    this.port = port;
    this.opened = false;
    this._outbox = [];
    this._chunks = [];
    this._readers = [];
    this._done = false;
    this._error = null;
    this._closing = false;
  }

  write(chunk) {
    const data = typeof chunk === "string" ? new TextEncoder().encode(chunk) : new Uint8Array(chunk);
    if (this._closing) throw new Error("write after close()");
    this._send({ action: "write", data });
  }

  close() {
    if (this._closing) return;
    this._closing = true;
    this._send({ action: "end" });
  }

  read() {
    if (this._chunks.length) return Promise.resolve(this._chunks.shift());
    if (this._error) return Promise.reject(this._error);
    if (this._done) return Promise.resolve(null);
    return new Promise((resolve, reject) => this._readers.push({ resolve, reject }));
  }

  async readAll() {
    const parts = [];
    for (let part = await this.read(); part !== null; part = await this.read()) parts.push(part);
    return concat(parts);
  }

  _send(message) {
    if (!this.opened) this._outbox.push(message);
    else this.runtime.worker.postMessage({ type: "net", conn: this.conn, ...message });
  }

  _open() {
    this.opened = true;
    this.runtime.worker.postMessage({ type: "net", action: "connect", conn: this.conn, port: this.port });
    for (const message of this._outbox.splice(0)) this._send(message);
  }

  _push(data) {
    const reader = this._readers.shift();
    if (reader) reader.resolve(data);
    else this._chunks.push(data);
  }

  _finish(error) {
    if (this._done) return;
    this._done = true;
    this._error = error;
    for (const reader of this._readers.splice(0)) {
      if (error) reader.reject(error);
      else reader.resolve(null);
    }
  }
}

/**
 * Stdin for a worker that blocks in Atomics.wait (no JSPI): a SharedArrayBuffer with an Int32 control
 * block (SEQ, WRITTEN, READ, CLOSED; layout shared with AtomicsWaiter in
 * pywasi_web/engines/js.py) and a byte ring. Every change bumps SEQ and wakes the waiting worker.
 */
class StdinChannel {
  static HEADER_BYTES = 32;
  static RING_BYTES = 1 << 16;

  static create() {
    if (!globalThis.crossOriginIsolated || typeof SharedArrayBuffer === "undefined") return null;
    return new StdinChannel(new SharedArrayBuffer(StdinChannel.HEADER_BYTES + StdinChannel.RING_BYTES));
  }

  constructor(buffer) {
    this.buffer = buffer;
    this.control = new Int32Array(buffer, 0, StdinChannel.HEADER_BYTES / 4);
    this.ring = new Uint8Array(buffer, StdinChannel.HEADER_BYTES);
    this.pending = [];
    this.closing = false;
  }

  /** Before a run: drop what the previous guest left unread; stdin is open again. */
  reset() {
    this.pending = [];
    this.closing = false;
    Atomics.store(this.control, READ, Atomics.load(this.control, WRITTEN));
    Atomics.store(this.control, CLOSED, 0);
  }

  write(bytes) {
    this.pending.push(bytes);
    this._drain();
  }

  close() {
    this.closing = true;
    this._drain();
  }

  /** Copy what fits into the ring; when it is full, continue once the worker has read from it. */
  _drain() {
    const { control, ring } = this;
    while (this.pending.length) {
      const written = Atomics.load(control, WRITTEN);
      const room = ring.length - ((written - Atomics.load(control, READ)) | 0);
      if (room === 0) return this._whenRead();
      const chunk = this.pending[0];
      const count = Math.min(room, chunk.length);
      for (let i = 0; i < count; i++) ring[(((written + i) % ring.length) + ring.length) % ring.length] = chunk[i];
      Atomics.store(control, WRITTEN, (written + count) | 0);
      if (count === chunk.length) this.pending.shift();
      else this.pending[0] = chunk.subarray(count);
      this._wake();
    }
    if (this.closing) {
      Atomics.store(control, CLOSED, 1);
      this._wake();
    }
  }

  _whenRead() {
    const read = Atomics.load(this.control, READ);
    Promise.resolve(Atomics.waitAsync(this.control, READ, read).value).then(() => this._drain());
  }

  _wake() {
    Atomics.add(this.control, SEQ, 1);
    Atomics.notify(this.control, SEQ);
  }
}
const [SEQ, WRITTEN, READ, CLOSED] = [0, 1, 2, 3];

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export async function createRuntime(options = {}) {
  const runtime = new Runtime(options);
  await runtime.ready;
  return runtime;
}

/** Whether this browser has JSPI, which a guest needs to wait for input (the worker decides the same way). */
export function jspiAvailable() {
  return typeof WebAssembly.Suspending === "function" && typeof WebAssembly.promising === "function";
}
