// pywasi.js: run WASI programs in a Pyodide worker from a page.
//
//   import { createRuntime } from "./pywasi.js";
//   const rt = await createRuntime({ onProgress: ({ stage, fraction }) => ..., onReady: (info) => ... });
//   const { exitCode, stdout } = await rt.run("/examples/hello.wasm", { args: ["world"] });
//
// run(wasm, options): wasm is bytes (ArrayBuffer/Uint8Array) or a URL (fetched and compiled by the
// worker, so that the browser may keep its compiled code: web/guest_fetch.js). Options: args, env, argv0,
// files ({path: string|Uint8Array|null} mounted at "/"),
// mounts ({guestPath: {files: {path: data | null (a directory) | {symlink: target}}, readOnly}},
// {guestPath: {persistent: "store name", backend: "indexeddb" | "opfs", readOnly}}, see below;
// {guestPath: {url: manifestURL}}: a read-only tree a manifest declares, each file fetched when first
// opened, a large one by range requests (`pywasi-web manifest DIR` writes one); {guestPath: {kept: name}}:
// a mount kept in the worker by rt.mount, see below),
// stdin (string|Uint8Array), interactive (true: stdin stays open for write()/closeStdin()),
// onStdout/onStderr (Uint8Array chunks as they come), trace (true: the result's `trace` holds every
// WASI call, {calls: [[name, args, result, seconds]], dropped, errnos: {number: name}}), onTrace
// (with trace: an strace line per call as it happens), timeoutMs,
// maxMemoryBytes (the guest's linear memory stops growing there: its allocator reports out of memory),
// imports ({module: {name: function}} for the module's non-WASI imports: each function is sent as its
// source and runs in the worker, called as WebAssembly calls a JS import, so it must not use the
// page's variables).
// sockets ([{websocket: url, host, port} | {fetch: origin} | {listen: port}], preopened after the
// mounts) with allow (the origins and host:port pairs they may reach; see docs/browser.md#sockets);
// rt.connect(port) opens a Connection to the running guest's {listen: port} socket.
// returnFiles ("changed", the default, or "all": which entries of the in-memory mounts the result holds).
// Resolves to {exitCode, stdout, stderr (strings), stdoutBytes, stderrBytes, files (each regular file the
// run wrote or created, by guest path; every one with returnFiles "all"), trees ({guestPath: {path: bytes |
// null (a directory) | {symlink}}}, the same entries), deleted (the guest paths the run removed; not with
// "all"), mountErrors? (why a URL mount's fetch failed: the guest got EIO), error?, durationMs, startMs
// (the guest's `_start` alone), notice? (set when input could not be interactive)}. run() never rejects: a guest that
// cannot be fetched or is not bytes, an unknown option or a value of the wrong type (run_options.js)
// resolves at once with exitCode null and error {kind: "module" | "options", message: one line}.
//
// instantiate(wasm, options): a module the page drives (a reactor: `_initialize` is called), with
// run's options; resolves to an Instance: await inst.call(name, ...args) (numbers, BigInts for i64;
// the result as WebAssembly's JS API gives it, an array for several), inst.exports ({name: kind}),
// await inst.memory.read(ptr, length) (a Uint8Array), await inst.memory.write(ptr, bytes), and
// await inst.close() (resolves like run: stdout, stderr, files...). Runs queued meanwhile wait for close.
// A call that fails rejects with an Error whose `kind` is "export", "arity", "type", "trap", "import",
// "exit", "timeout", "module" or "closed". A component instance: inst.exports lists its functions
// ("iface@version#fn": "func") and inst.call(name, ...args) takes and gives JS values; its `imports` are
// interfaces ({"my:pkg/iface@1.0.0": {fnName: function, Resource: class}}) whose functions take and
// give the same values (an imported resource is a class: new, methods, statics, Symbol.dispose; sent
// as its source like a function, its instances stay in the worker), or an open Instance whose export of that interface serves it (run-time linking: the new
// instance comes at once, in that one's turn; close the importer first); inst.drop(handle) drops a
// resource handle (docs/components.md, "From JavaScript"). inst.write(chunk), inst.closeStdin() and
// inst.cancel(reason) act on that instance (with `interactive: true`), where rt.write() reaches the latest.
//
// Kept mounts: await rt.mount(name, {files, readOnly} | {url}) sends the mount to the worker once and
// resolves to a handle, {kept: name}, that runs mount ({mounts: {"/tools": handle}}) without sending it
// again; what a run writes there stays for the next run. rt.unmount(name) drops it; kill() drops them all.
//
// Blocking (a guest waiting for input or sleeping): JSPI where the browser has it, else Atomics.wait
// on a SharedArrayBuffer when the page is cross-origin isolated, else input is not interactive.
// `new Runtime({blocking: "atomics"})` forces the fallback ("none" forces neither); `info.blocking` says
// which one the worker uses. onProgress and onReady fire on every boot: the first one and the new
// worker that kill() (Stop, or a run's timeoutMs) starts.
//
// After its first guest, a worker spends under a second, in turns a run can come between, getting
// V8 to keep its compiled code for Pyodide, once per Pyodide version and browser build: later page
// loads start about 100 ms sooner (web/code_cache.js).
//
// Persistent stores (IndexedDB by default, or OPFS; JSPI): a mount {persistent: name} is loaded when
// the run starts and written back atomically at fsync, at the close of a written file, at exit and
// on sync(). A store is locked while a run has it mounted: another tab (or run) mounting it gets an
// error at once. A full quota gives the guest ENOSPC and the run `error` (nothing stored is lost).
// stores(), clearStore(name), exportStore(name) (.tar bytes) and importStore(name, tarBytes) manage
// them (a last argument picks the backend); each rejects with a clear Error.

import { LINKABLE, checkGuest, checkMount, checkOptions } from "./run_options.js";

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
    this._linked = new Map(); // id -> the record of an open instance linked to the current one
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
    this._channel = Channel.create();
    this._relay = this._channel && new SocketRelay(this._channel);
    this.worker.postMessage({
      type: "init", blocking: this.blocking, channel: this._channel?.buffer, timeOrigin: performance.timeOrigin,
    });
    this.worker.onerror = (event) => {
      const error = new Error(`pywasi worker failed: ${event.message || "error"}`);
      this._readyReject(error);
      if (this._current) this._current.fail(error);
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
        this._recordOf(message.id)?.chunk(message.type, message.data);
        break;
      case "trace":
        this._recordOf(message.id)?.options.onTrace?.(message.line);
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
        if (message.error) request.reject(Object.assign(new Error(message.error), message.kind ? { kind: message.kind } : {}));
        else request.resolve(request.whole ? message : message.value);
        break;
      }
    }
  }

  /** Run a guest; runs are queued, one at a time. Never rejects: what stops a run (a guest or an
   * option that cannot be used, a worker that failed) is the result's `error`. */
  run(wasm, options = {}) {
    const job = this._queue.then(() => this._run(wasm, options ?? {}));
    this._queue = job.catch(() => {});
    return job;
  }

  async _run(wasm, options) {
    let guest;
    try {
      guest = await this._prepare(wasm, options);
    } catch (error) {
      if (error instanceof RunProblem) return failedRun(error.kind, error.message);
      throw error;
    }
    const id = this._nextId++;
    const { onStdout, onStderr, onTrace, timeoutMs, ...rest } = options;
    return new Promise((resolve) => {
      const chunks = { stdout: [], stderr: [] };
      let killTimer = null;
      const done = () => {
        clearTimeout(killTimer);
        this._current = null;
        this._endConnections();
        this._relay?.closeAll();
      };
      this._current = {
        id,
        options,
        chunk: collect(chunks, onStdout, onStderr),
        finish(message) {
          done();
          resolve(outcome(message, chunks));
        },
        killed(reason) {
          done();
          resolve(outcome({ exitCode: 124, error: { kind: "timeout", message: reason } }, chunks));
        },
        fail(error) {
          done();
          resolve(failedRun("internal", error.message));
        },
      };
      if (timeoutMs) {
        // The worker cancels a waiting guest at timeoutMs; one that computes is stopped by a restart.
        killTimer = setTimeout(
          () => this.kill(`the guest ran longer than ${timeoutMs / 1000} s`),
          timeoutMs + KILL_GRACE_MS,
        );
      }
      if (this._usesChannel()) this._channel.reset();
      const runOptions = {
        ...rest, mounts: resolved(rest.mounts, this.baseURL), imports: sources(rest.imports), timeoutMs, traceLines: Boolean(onTrace),
      };
      try {
        this.worker.postMessage({ type: "run", id, ...guest, options: runOptions }, transferred(guest));
      } catch (error) {
        this._current.fail(error); // an option value that cannot be sent to a worker
      }
    });
  }

  /** Instantiate a module the page drives (see Instance); runs and instances are queued, one at a time.
   * An instance whose `imports` give an open Instance (its exports) comes at once, in that instance's
   * turn, and the queue goes on when both are closed. */
  instantiate(wasm, options = {}) {
    const linked = Object.values(options?.imports ?? {}).filter((members) => members instanceof Instance);
    if (linked.length) {
      const closed = linked.find((instance) => !instance._open || instance.runtime !== this);
      const job = closed ? Promise.reject(Object.assign(new Error("imports give an Instance that is closed or of another runtime"), { kind: "closed" }))
        : this._instantiate(wasm, options, true);
      const turn = this._queue;
      this._queue = job.then((instance) => Promise.all([turn, instance.closed]), () => turn);
      return job;
    }
    const job = this._queue.then(() => this._instantiate(wasm, options, false));
    this._queue = job.then((instance) => instance.closed, () => {});
    return job;
  }

  async _instantiate(wasm, options, linked) {
    const guest = await this._prepare(wasm, options);
    const id = this._nextId++;
    const { onStdout, onStderr, onTrace, ...rest } = options;
    const chunks = { stdout: [], stderr: [] };
    const record = { id, options, chunk: collect(chunks, onStdout, onStderr), finish() {}, killed() {}, reject() {} };
    if (linked) this._linked.set(id, record);
    else this._current = record;
    if (this._usesChannel() && !linked) this._channel.reset();
    const reply = new Promise((resolve, reject) => this._requests.set(id, { resolve, reject }));
    const message = {
      type: "instantiate", id, linked, ...guest, options: { ...rest, mounts: resolved(rest.mounts, this.baseURL), imports: sources(rest.imports) },
    };
    this.worker.postMessage(message, transferred(guest));
    try {
      const { exports } = await reply;
      const instance = new Instance(this, id, exports, chunks);
      record.killed = () => instance._end(); // kill() ends it: later runs must not wait for it
      return instance;
    } catch (error) {
      this._forget(id);
      throw error;
    }
  }

  /** Where the output of the run or instance `id` goes: the current one, or an instance linked to it. */
  _recordOf(id) {
    return this._current?.id === id ? this._current : this._linked.get(id);
  }

  /** An instance that ended (closed, or failed to start) is no longer where its output goes. */
  _forget(id) {
    if (this._current?.id === id) this._current = null;
    this._linked.delete(id);
  }

  /** The guest for the worker once the runtime is ready: {wasm: its bytes (a copy, to transfer)},
   * or {url, name} for a URL, which the worker fetches and compiles (web/guest_fetch.js: so that
   * the browser may keep the compiled code across page loads). A RunProblem says why not: a guest
   * that is neither a URL nor bytes, bad options (run_options.js), a failed boot. */
  async _prepare(wasm, options) {
    const problem = checkGuest(wasm);
    if (problem) throw new RunProblem("module", problem);
    const optionsProblem = checkOptions(options);
    if (optionsProblem) throw new RunProblem("options", optionsProblem);
    const url = typeof wasm === "string" || wasm instanceof URL ? new URL(wasm, this.baseURL).href : undefined;
    // the worker fetches it now, while it may still be booting (worker.js)
    if (url) this.worker.postMessage({ type: "prefetch", url, name: String(wasm), options: { maxMemoryBytes: options.maxMemoryBytes } });
    try {
      await this.ready;
    } catch (error) {
      throw new RunProblem("internal", `the runtime did not start: ${error.message.split("\n")[0]}`);
    }
    if (url) return { url, name: String(wasm) };
    return { wasm: wasm instanceof Uint8Array ? wasm.slice() : new Uint8Array(wasm.slice(0)) };
  }

  /** Keep a mount ({files, readOnly} or {url}) in the worker under `name` (replacing one of that name):
   * it is sent once, and resolves to the handle runs mount it with ({kept: name}); rejects with a clear
   * Error (a bad spec, a manifest that cannot be fetched). */
  async mount(name, spec) {
    const problem = typeof name === "string" ? checkMount(spec, `mount ${JSON.stringify(name)}`)
      : `a kept mount's name must be a string, not ${typeof name}`;
    if (problem) throw new Error(problem);
    await this._request({ type: "mount", name, spec: resolved({ spec }, this.baseURL).spec });
    return Object.freeze({ kept: name });
  }

  /** Drop a kept mount (a handle or its name). */
  async unmount(handle) {
    await this._request({ type: "unmount", name: handle?.kept ?? handle });
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

  /** A persistent store's files as .tar bytes (Uint8Array); refused when there is no such store. */
  exportStore(name, backend) {
    return this._request({ type: "store", operation: "export", name, backend });
  }

  /** Replace a store's content with a .tar archive's (one atomic write-back). */
  importStore(name, tarBytes, backend) {
    const data = tarBytes instanceof Uint8Array ? tarBytes : new Uint8Array(tarBytes);
    return this._request({ type: "store", operation: "import", name, data, backend });
  }

  async _request(message, whole = false) {
    await this.ready;
    const id = this._nextId++;
    return new Promise((resolve, reject) => {
      this._requests.set(id, { resolve, reject, whole });
      this.worker.postMessage({ ...message, id });
    });
  }

  /** Send input to the running guest (an interactive run). */
  write(chunk) {
    if (this._usesChannel()) this._channel.stdin.write(typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk);
    else this.worker.postMessage({ type: "stdin", data: chunk });
  }

  /** End the running guest's stdin (it reads end-of-file). */
  closeStdin() {
    if (this._usesChannel()) this._channel.stdin.close();
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
    if (message.action === "relay") {
      this._relay.handle(message);
      return;
    }
    if (message.action === "listening") {
      current.listening = message.ports;
      for (const connection of this._connections.values()) {
        if (connection.opened) continue;
        if (message.ports.includes(connection.port)) connection._open();
        else connection._refuse();
      }
      return;
    }
    const connection = this._connections.get(message.conn);
    if (!connection) return;
    if (message.action === "data") connection._push(message.data);
    else if (message.action === "end") connection._finish(null);
    else if (message.action === "refused") connection._refuse(message.message);
  }

  /** The run is over: open connections end, waiting ones are refused. */
  _endConnections() {
    for (const connection of this._connections.values()) {
      if (connection.opened) connection._finish(null);
      else connection._refuse();
    }
    this._connections.clear();
  }

  /** A guest blocked in Atomics.wait cannot receive messages: its input and socket events go
   * through the channel. */
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
    for (const record of this._linked.values()) record.killed(reason);
    this._linked.clear();
    for (const request of this._requests.values()) request.reject(new Error(`the worker was stopped: ${reason}`));
    this._requests.clear();
  }
}

/**
 * A module instance the page drives (Runtime.instantiate): call its exports, read and write its
 * memory, close it. Its stdout/stderr stream to the options' onStdout/onStderr and are in close()'s result.
 */
export class Instance {
  constructor(runtime, id, exports, chunks) {
    this.runtime = runtime;
    this.id = id;
    this[LINKABLE] = true; // run_options.js: an Instance may be given in another's `imports`
    this.exports = exports;
    this._chunks = chunks;
    this._open = true;
    this.closed = new Promise((resolve) => (this._closed = resolve));
    this.memory = {
      read: (ptr, length) => this._ask({ type: "memory", op: "read", ptr, length }),
      write: (ptr, bytes) => this._ask({ type: "memory", op: "write", ptr, data: new Uint8Array(bytes) }),
    };
  }

  /** Call an export: numbers, BigInts for i64 (a number is accepted too); the result as
   * WebAssembly's JS API gives it (i64 as a BigInt), several results as an array. */
  async call(name, ...args) {
    const { value, i64, component } = await this._ask({ type: "call", name, args }, true);
    if (component) return value[0]; // a component's result (pywasi_web/api/js_values.py)
    const results = value.map((item, index) => (i64[index] ? BigInt(item) : item));
    return results.length > 1 ? results : results[0];
  }

  /** Drop a component's resource handle ({resource, handle}, as a call gave it): its destructor runs
   * once, and later calls given it reject with kind "type" (Python's ResourceHandle.drop()). */
  async drop(handle) {
    await this._ask({ type: "drop", handle });
  }

  /** Send input to this instance's stdin (instantiated with `interactive: true`): with linked
   * instances open, rt.write() reaches only the latest. The worker takes the message while a call
   * waits (JSPI) or between calls (Atomics, whose channel carries rt.write()'s input). */
  write(chunk) {
    this._tell({ type: "stdin", data: chunk });
  }

  /** End this instance's stdin (it reads end-of-file). */
  closeStdin() {
    this._tell({ type: "closeStdin" });
  }

  /** Stop this instance's guest if it waits (for input, a clock): its call rejects with kind "timeout". */
  cancel(reason = "cancelled") {
    this._tell({ type: "cancel", reason });
  }

  _tell(message) {
    if (this._open) this.runtime.worker.postMessage({ ...message, instance: this.id });
  }

  /** End the instance (descriptors closed, mounts written back); resolves like Runtime.run. */
  async close() {
    const message = await this._ask({ type: "close" });
    this.runtime._forget(this.id);
    this._end();
    return outcome(message, this._chunks);
  }

  _end() {
    this._open = false;
    this._closed();
  }

  _ask(message, whole = false) {
    if (!this._open) return Promise.reject(Object.assign(new Error("the instance is closed"), { kind: "closed" }));
    return this.runtime._request({ ...message, instance: this.id }, whole);
  }
}

/** What postMessage transfers of a guest: its bytes' buffer, if it has bytes. */
function transferred(guest) {
  return guest.wasm ? [guest.wasm.buffer] : [];
}

/** `mounts` for the worker: a URL mount's manifest URL resolved against the runtime's base URL. */
function resolved(mounts, baseURL) {
  if (!mounts || typeof mounts !== "object") return mounts;
  return Object.fromEntries(Object.entries(mounts).map(([guest, spec]) => [
    guest, spec?.url === undefined || spec.url === null ? spec : { ...spec, url: new URL(spec.url, baseURL).href },
  ]));
}

/** `imports` for the worker: each function (or a resource's class) as its source; an Instance as its id. */
function sources(imports) {
  if (!imports) return undefined;
  return Object.fromEntries(
    Object.entries(imports).map(([module, members]) => [
      module,
      members instanceof Instance ? { $instance: members.id }
        : Object.fromEntries(Object.entries(members).map(([name, fn]) => [name, String(fn)])),
    ]),
  );
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
    else this._post({ conn: this.conn, ...message });
  }

  _open() {
    this.opened = true;
    this._post({ action: "connect", conn: this.conn, port: this.port });
    for (const message of this._outbox.splice(0)) this._send(message);
  }

  _post({ data, ...message }) {
    if (this.runtime._usesChannel()) this.runtime._channel.event(message, data);
    else this.runtime.worker.postMessage({ type: "net", ...message, data });
  }

  _push(data) {
    const reader = this._readers.shift();
    if (reader) reader.resolve(data);
    else this._chunks.push(data);
  }

  _refuse(reason = `no guest listens on port ${this.port}`) {
    this._finish(new Error(`connection refused: ${reason}`));
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
 * The shared channel of a worker that blocks in Atomics.wait (no JSPI): while the guest waits, the
 * worker's event loop is stopped and no message reaches it, so what the guest may wait for goes
 * into a SharedArrayBuffer instead, and every write bumps SEQ and wakes the worker. Layout (shared
 * with pywasi_web/browser/channel.py): an Int32 control block (SEQ, STDIN_WRITTEN, STDIN_READ,
 * STDIN_CLOSED, EVENTS_WRITTEN, EVENTS_READ), the stdin ring, then the events ring, which carries
 * records `u32 header length, JSON header, u32 payload length, payload` (little-endian) for the
 * run's sockets.
 */
class Channel {
  static HEADER_BYTES = 32;
  static STDIN_BYTES = 1 << 16;
  static EVENTS_BYTES = 1 << 20;

  static create() {
    if (!globalThis.crossOriginIsolated || typeof SharedArrayBuffer === "undefined") return null;
    return new Channel(new SharedArrayBuffer(Channel.HEADER_BYTES + Channel.STDIN_BYTES + Channel.EVENTS_BYTES));
  }

  constructor(buffer) {
    this.buffer = buffer;
    this.control = new Int32Array(buffer, 0, Channel.HEADER_BYTES / 4);
    const stdinBytes = new Uint8Array(buffer, Channel.HEADER_BYTES, Channel.STDIN_BYTES);
    const eventBytes = new Uint8Array(buffer, Channel.HEADER_BYTES + Channel.STDIN_BYTES);
    this.stdin = new SharedRing(this.control, stdinBytes, STDIN_WRITTEN, STDIN_READ, STDIN_CLOSED);
    this.events = new SharedRing(this.control, eventBytes, EVENTS_WRITTEN, EVENTS_READ, null);
  }

  /** Before a run: drop what the previous guest left unread; stdin is open again. */
  reset() {
    this.stdin.reset();
    this.events.reset();
  }

  /** One event record for the worker: a JSON header and an optional Uint8Array payload. */
  event(header, payload = EMPTY) {
    const head = new TextEncoder().encode(JSON.stringify(header));
    const record = new Uint8Array(8 + head.length + payload.length);
    const view = new DataView(record.buffer);
    view.setUint32(0, head.length, true);
    record.set(head, 4);
    view.setUint32(4 + head.length, payload.length, true);
    record.set(payload, 8 + head.length);
    this.events.write(record);
  }
}

/** The page's (writing) end of one byte ring of the Channel. */
class SharedRing {
  constructor(control, bytes, writtenSlot, readSlot, closedSlot) {
    Object.assign(this, { control, bytes, writtenSlot, readSlot, closedSlot });
    this.pending = [];
    this.closing = false;
    this.waitingForRoom = false;
  }

  reset() {
    this.pending = [];
    this.closing = false;
    Atomics.store(this.control, this.readSlot, Atomics.load(this.control, this.writtenSlot));
    if (this.closedSlot !== null) Atomics.store(this.control, this.closedSlot, 0);
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
    const { control, bytes: ring, writtenSlot, readSlot } = this;
    while (this.pending.length) {
      const written = Atomics.load(control, writtenSlot);
      const room = ring.length - ((written - Atomics.load(control, readSlot)) | 0);
      if (room === 0) return this._whenRead();
      const chunk = this.pending[0];
      const count = Math.min(room, chunk.length);
      const start = ((written % ring.length) + ring.length) % ring.length;
      const first = Math.min(count, ring.length - start);
      ring.set(chunk.subarray(0, first), start);
      ring.set(chunk.subarray(first, count), 0);
      Atomics.store(control, writtenSlot, (written + count) | 0);
      if (count === chunk.length) this.pending.shift();
      else this.pending[0] = chunk.subarray(count);
      this._wake();
    }
    if (this.closing && this.closedSlot !== null) {
      Atomics.store(control, this.closedSlot, 1);
      this._wake();
    }
  }

  _whenRead() {
    if (this.waitingForRoom) return;
    this.waitingForRoom = true;
    const read = Atomics.load(this.control, this.readSlot);
    Promise.resolve(Atomics.waitAsync(this.control, this.readSlot, read).value).then(() => {
      this.waitingForRoom = false;
      this._drain();
    });
  }

  _wake() {
    Atomics.add(this.control, SEQ, 1);
    Atomics.notify(this.control, SEQ);
  }
}
const [SEQ, STDIN_WRITTEN, STDIN_READ, STDIN_CLOSED, EVENTS_WRITTEN, EVENTS_READ] = [0, 1, 2, 3, 4, 5];
const EMPTY = new Uint8Array(0);

/**
 * The sockets of a run whose worker blocks in Atomics.wait: this page runs their WebSockets and
 * fetches (web/net_transports.js) on the worker's behalf. The worker asks with {action: "relay", op,
 * sid, ...} messages (pywasi_web/browser/relay.py); what the transports report to their sink
 * goes back as channel events {sid, call, args, bytes?, backlog}.
 */
class SocketRelay {
  constructor(channel) {
    this.channel = channel;
    this.handles = new Map(); // sid -> the transport's handle
    this.opening = new Set(); // sids of WebSockets still opening: one closed meanwhile is closed on open
  }

  async handle(message) {
    const { op, sid } = message;
    const { transports } = await (SocketRelay.module ??= import("./net_transports.js"));
    const handle = this.handles.get(sid);
    switch (op) {
      case "websocket":
        this.opening.add(sid);
        transports.websocket(message.url, this._sink(sid), message.timeoutMs, message.pollMs).then(
          (opened) => {
            if (!this.opening.delete(sid)) {
              opened.close(); // the worker closed it, or the run ended, while it was opening
              return;
            }
            this.handles.set(sid, opened);
            this._event(sid, "open", []);
          },
          (error) => {
            if (this.opening.delete(sid)) this._event(sid, "refused", [String(error.message ?? error)]);
          },
        );
        break;
      case "fetch":
        this.handles.set(sid, transports.fetch(message.method, message.url, message.headers, message.body, this._sink(sid)));
        break;
      case "send":
        handle?.send(message.data);
        if (handle) this._event(sid, "sent", [message.data.length]);
        break;
      case "watch":
        handle?.watch(message.limit);
        break;
      case "resume":
        handle?.resume();
        break;
      case "close":
      case "cancel":
        this.handles.delete(sid);
        this.opening.delete(sid);
        if (op === "close") handle?.close();
        else handle?.cancel();
        break;
    }
  }

  /** The run is over: drop every transport it left open. */
  closeAll() {
    for (const handle of this.handles.values()) (handle.close ?? handle.cancel)();
    this.handles.clear();
    this.opening.clear();
  }

  /** A sink whose every call becomes an event; a fetch body pauses until the worker resumes it. */
  _sink(sid) {
    const call = (name) => (...args) => {
      this._event(sid, name, args);
      return false;
    };
    return { feed: call("feed"), end: call("end"), fail: call("fail"), ready: call("ready"),
             head: call("head"), body: call("body"), failed: call("failed") };
  }

  _event(sid, call, args) {
    const bytes = args[0] instanceof Uint8Array;
    const backlog = this.handles.get(sid)?.backlog?.() ?? 0;
    this.channel.event({ sid, call, args: bytes ? args.slice(1) : args, bytes, backlog }, bytes ? args[0] : EMPTY);
  }
}

/** Why a run could not start: the kind and one line, for its error result. */
class RunProblem extends Error {
  constructor(kind, message) {
    super(message);
    this.kind = kind;
  }
}

/** The result of a run that could not start: the same shape as any result, with `error` set. */
function failedRun(kind, message) {
  const empty = new Uint8Array(0);
  return { exitCode: null, stdout: "", stderr: "", stdoutBytes: empty, stderrBytes: empty, files: {}, trees: {},
           deleted: [], error: { kind, message }, durationMs: 0 };
}

/** Keeps each output chunk and hands it to its callback. */
function collect(chunks, onStdout, onStderr) {
  return (kind, data) => {
    chunks[kind].push(data);
    const callback = kind === "stdout" ? onStdout : onStderr;
    if (callback) callback(data);
  };
}

/** A run's (or a closed instance's) result from the worker's message and the chunks streamed so far. */
function outcome(message, chunks) {
  const stdoutBytes = message.stdout ?? concat(chunks.stdout);
  const stderrBytes = message.stderr ?? concat(chunks.stderr);
  return {
    exitCode: message.exitCode,
    stdout: decoder().decode(stdoutBytes),
    stderr: decoder().decode(stderrBytes),
    stdoutBytes,
    stderrBytes,
    files: message.files ?? {},
    trees: message.trees ?? {},
    deleted: message.deleted ?? [],
    mountErrors: message.mountErrors,
    error: message.error,
    trace: message.trace,
    durationMs: message.durationMs,
    startMs: message.startMs,
    notice: message.notice,
  };
}

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
