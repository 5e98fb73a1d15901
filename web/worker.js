// pywasi_web's module worker: boots Pyodide, installs micropip and our wheel, runs WASI guests.
//
// Messages in:   {type: "run", id, wasm: ArrayBuffer|Uint8Array, options: {args, env, argv0, files,
//                  mounts, stdin, interactive, trace, timeoutMs}}
//                {type: "stdin", data: string|Uint8Array}   {type: "closeStdin"}   {type: "cancel", reason}
// Messages out:  {type: "progress", stage, fraction}   {type: "ready", ...info}   {type: "error", message}
//                {type: "stdout"|"stderr", id, data: Uint8Array}   {type: "trace", id, line}
//                {type: "exit", id, exitCode, stdout, stderr, files, error?, durationMs}
//
// Guests run one at a time. The Python entry is called with callPromising so that blocking WASI calls
// (interactive stdin, poll_oneoff, sleep) suspend through JSPI while this event loop keeps running.

const base = new URL("./", import.meta.url);
const progress = (stage, fraction) => postMessage({ type: "progress", stage, fraction });

// Input for the running guest must reach Python even while a run is in progress,
// so messages are handled as they arrive; only "run" waits for the boot.
let glue = null;
let queue = Promise.resolve();

self.onmessage = (event) => {
  const message = event.data;
  switch (message.type) {
    case "run":
      queue = queue.then(() => booted).then(() => runGuest(message));
      break;
    case "stdin":
      if (glue) glue.feed_stdin(message.data);
      break;
    case "closeStdin":
      if (glue) glue.close_stdin();
      break;
    case "cancel":
      if (glue) glue.cancel(message.reason || "cancelled");
      break;
  }
};

async function boot() {
  const started = performance.now();
  progress("pyodide", 0.05);
  const { loadPyodide } = await import(new URL("vendor/pyodide/pyodide.mjs", base).href);
  const pyodide = await loadPyodide({ indexURL: new URL("vendor/pyodide/", base).href });
  const pyodideMs = performance.now() - started;
  progress("wheels", 0.6);
  const wheels = await (await fetch(new URL("wheels/index.json", base))).json();
  if (!wheels.pywasi_web) throw new Error("build/wheels has no pywasi_web wheel: run prepare_assets()");
  const urls = [wheels.pywasi_web, wheels.micropip].filter(Boolean).map((name) => new URL(`wheels/${name}`, base).href);
  await pyodide.loadPackage(urls, { messageCallback: () => {}, errorCallback: (m) => console.warn(m) });
  progress("import", 0.85);
  const source = await (await fetch(new URL("pywasi_worker.py", base))).text();
  pyodide.FS.writeFile("/home/pyodide/pywasi_worker.py", source);
  const module = pyodide.pyimport("pywasi_worker");
  glue = {
    run: module.run,
    feed_stdin: module.feed_stdin,
    close_stdin: module.close_stdin,
    cancel: module.cancel,
  };
  const info = module.info();
  progress("ready", 1);
  postMessage({
    type: "ready",
    bootMs: performance.now() - started,
    pyodideMs,
    pyodideVersion: pyodide.version,
    crossOriginIsolated: self.crossOriginIsolated,
    ...info,
  });
  return pyodide;
}

async function runGuest({ id, wasm, options = {} }) {
  const bytes = wasm instanceof Uint8Array ? wasm : new Uint8Array(wasm);
  const emit = (kind, payload) => {
    if (kind === "trace") postMessage({ type: "trace", id, line: payload });
    else postMessage({ type: kind, id, data: payload }, [payload.buffer]);
  };
  let timer = null;
  if (options.timeoutMs) {
    timer = setTimeout(() => glue.cancel(`the guest ran longer than ${options.timeoutMs / 1000} s`), options.timeoutMs);
  }
  let result;
  try {
    const { timeoutMs, ...rest } = options;
    result = await glue.run.callPromising(bytes, rest, emit);
  } catch (error) {
    result = { exitCode: null, error: { kind: "internal", message: String(error && error.message || error) } };
  } finally {
    clearTimeout(timer);
  }
  postMessage({ type: "exit", id, ...result });
}

const booted = boot().catch((error) => {
  postMessage({ type: "error", message: String(error && error.stack || error) });
  throw error;
});
