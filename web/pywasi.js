// pywasi.js: run WASI programs in a Pyodide worker from a page.
//
//   import { createRuntime } from "./pywasi.js";
//   const rt = await createRuntime({ onProgress: ({ stage, fraction }) => ..., onReady: (info) => ... });
//   const { exitCode, stdout } = await rt.run("/examples/hello.wasm", { args: ["world"] });
//
// run(wasm, options): wasm is bytes (ArrayBuffer/Uint8Array) or a URL. Options: args, env, argv0,
// files ({path: string|Uint8Array|null} mounted at "/"),
// mounts ({guestPath: {files: {path: data | null (a directory) | {symlink: target}}, readOnly}}),
// stdin (string|Uint8Array), interactive (true: stdin stays open for write()/closeStdin()),
// onStdout/onStderr (Uint8Array chunks as they come), onTrace (strace lines), trace, timeoutMs,
// maxMemoryBytes (the guest's linear memory stops growing there: its allocator reports out of memory).
// Resolves to {exitCode, stdout, stderr (strings), stdoutBytes, stderrBytes, files (every regular file
// by guest path), trees ({guestPath: {path: bytes | null | {symlink}}}), error?, durationMs, startMs (the guest's
// `_start` alone), notice? (set when input could not be interactive)}.
//
// Blocking (a guest waiting for input or sleeping): JSPI where the browser has it, else Atomics.wait
// on a SharedArrayBuffer when the page is cross-origin isolated, else input is not interactive.
// `new Runtime({blocking: "atomics"})` forces the fallback ("none" forces neither); `info.blocking` says
// which one the worker uses. onProgress and onReady fire on every boot: the first one and the new
// worker that kill() (Stop, or a run's timeoutMs) starts.

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
