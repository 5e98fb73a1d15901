// pywasi.js: run WASI programs in a Pyodide worker from a page.
//
//   import { createRuntime } from "./pywasi.js";
//   const rt = await createRuntime({ onProgress: ({ stage, fraction }) => ... });
//   const { exitCode, stdout } = await rt.run("/examples/hello.wasm", { args: ["world"] });
//
// run(wasm, options): wasm is bytes (ArrayBuffer/Uint8Array) or a URL. Options: args, env, argv0,
// files ({path: string|Uint8Array|null} mounted at "/"),
// mounts ({guestPath: {files: {path: data | null (a directory) | {symlink: target}}, readOnly}}),
// stdin (string|Uint8Array), interactive (true: stdin stays open for write()/closeStdin()),
// onStdout/onStderr (Uint8Array chunks as they come), onTrace (strace lines), trace, timeoutMs.
// Resolves to {exitCode, stdout, stderr (strings), stdoutBytes, stderrBytes, files (every regular file
// by guest path), trees ({guestPath: {path: bytes | null | {symlink}}}), error?, durationMs}.

const decoder = () => new TextDecoder("utf-8", { fatal: false });
const KILL_GRACE_MS = 500;

export class Runtime {
  constructor({ baseURL, onProgress } = {}) {
    this.baseURL = new URL(baseURL ?? "./", import.meta.url);
    this.onProgress = onProgress ?? (() => {});
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
      this.worker.postMessage({ type: "run", id, wasm: bytes, options: { ...rest, timeoutMs } }, [bytes.buffer]);
    });
  }

  /** Send input to the running guest (an interactive run). */
  write(chunk) {
    this.worker.postMessage({ type: "stdin", data: chunk });
  }

  /** End the running guest's stdin (it reads end-of-file). */
  closeStdin() {
    this.worker.postMessage({ type: "closeStdin" });
  }

  /** Stop everything: terminate the worker (the running guest ends with exit code 124) and boot a new one. */
  kill(reason = "killed") {
    this.worker.terminate();
    const current = this._current;
    this._start();
    if (current) current.killed(reason);
  }
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
