// pywasi_web's module worker: boots Pyodide (from a memory snapshot when it has one), installs
// micropip and our wheel, runs WASI guests.
//
// Messages in:   {type: "init", blocking: "auto"|"jspi"|"atomics"|"none", channel: SharedArrayBuffer?,
//                  timeOrigin: the page's performance.timeOrigin}
//                {type: "run", id, wasm: ArrayBuffer|Uint8Array (or url and name: fetched and compiled
//                  here, guest_fetch.js), options: {args, env, argv0, files,
//                  mounts, stdin, interactive, trace, timeoutMs, sockets, allow}}
//                {type: "prefetch", url, name, options: {maxMemoryBytes}} (the guest of the run or
//                  instance about to come, fetched before it comes: sent before the page awaits the boot)
//                {type: "net", action: "connect", conn, port} | {..., action: "write", conn, data} |
//                  {..., action: "end", conn}: a page connection to the guest's listening socket
//                {type: "stdin", data: string|Uint8Array}   {type: "closeStdin"}   {type: "cancel", reason}
//                  (each with `instance`: that open instance's, not the latest run's or instance's)
//                {type: "sync", id} (write the running guest's persistent mounts back now)
//                {type: "store", id, operation: "list"|"clear"|"export"|"import", name, data, backend}
//                  (persistent stores; queued with runs)
//                {type: "mount", id, name, spec} | {type: "unmount", id, name} (a mount kept in this
//                  worker across runs, which a run names as {kept: name}; queued with runs)
//                {type: "instantiate", id, wasm | url and name, options, linked?} (an instance the page drives, queued
//                  with runs, later runs wait for its close; `linked`: it imports an open instance's
//                  exports and comes at once), then, with `instance` (its id):
//                  {type: "call", id, instance, name, args}, {type: "drop", id, instance, handle} (a
//                  component's resource handle), {type: "memory", id, instance, op: "read"|"write",
//                  ptr, length|data}, {type: "close", id, instance}
// Messages out:  {type: "progress", stage, fraction}
//                {type: "ready", ...info, lacking: [reasons], timeline: [[name, startMs, endMs]]}
//                {type: "error", message}
//                {type: "stdout"|"stderr", id, data: Uint8Array}   {type: "trace", id, line}
//                {type: "exit", id, exitCode, stdout, stderr, files, trees, deleted?, mountErrors?,
//                  error?, durationMs}
//                {type: "reply", id, value?, error?} (to "sync", "store" and an instance's messages)
//                {type: "net", id, action: "listening", ports} | {..., action: "data", conn, data} |
//                  {..., action: "end" | "refused", conn, message?}: to the page's connections
//                {type: "net", id, action: "relay", op, sid, ...}: a socket operation for the page to
//                  run (in "atomics" mode; pywasi_web/browser/relay.py)
//
// Guests run one at a time. How blocking WASI calls (interactive stdin, poll_oneoff, sleep) wait is
// chosen once, at init: "jspi" (the Python entry is called with callPromising, so they suspend while
// this event loop keeps running), else "atomics" when the page sent a SharedArrayBuffer channel
// (Atomics.wait; stdin comes through the channel), else "none" (input is not interactive).

import { warmOnce } from "./code_cache.js";
import { GuestFetchError, fetchGuest } from "./guest_fetch.js";
import { install, preload, snapshotName, wheelPath } from "./interpreter.js";
import { SNAPSHOTS_POSSIBLE, forget, keep, readKept } from "./snapshot_store.js";
import { withVersionedFetch } from "./versioned_fetch.js";
import { loadPyodide, version } from "./vendor/pyodide/pyodide.mjs";

const base = new URL("./", import.meta.url);
// The WebSocket and fetch() transports of guest sockets (used here under JSPI; the page runs them otherwise).
const netTransports = import(new URL("net_transports.js", base).href);
const progress = (stage, fraction) => postMessage({ type: "progress", stage, fraction });
// Where a boot's time goes: performance marks (visible in DevTools) that the ready message also
// carries as `timeline`, with the boot's fetches, on the page's clock (see bootTimeline).
const mark = (name) => performance.mark(`pywasi:${name}`);
mark("worker-start");

// Input for the running guest must reach Python even while a run is in progress,
// so messages are handled as they arrive; only "run" waits for the boot.
let glue = null;
let pageOrigin = null; // the page's performance.timeOrigin (init), for bootTimeline
let queue = Promise.resolve();

/** Run `work` in its turn of the queue (runs, instances, mounts, stores: one at a time); its
 * failure is its caller's, not the next turn's. */
function enqueue(work) {
  const done = queue.then(work);
  queue = done.catch(() => {});
  return done;
}
let resolveInit;
const initialized = new Promise((resolve) => (resolveInit = resolve));

self.onmessage = (event) => {
  const message = event.data;
  switch (message.type) {
    case "init":
      pageOrigin = message.timeOrigin ?? null;
      resolveInit({ mode: blockingMode(message.blocking ?? "auto", message.channel), channel: message.channel ?? null });
      break;
    case "prefetch":
      prefetched = { url: message.url, guest: loadGuest(message) };
      break;
    case "run": {
      const guest = guestOf(message);
      enqueue(() => booted.then(() => runGuest(message, guest)));
      break;
    }
    case "stdin":
      if (glue) glue.feed_stdin(message.data, message.instance);
      break;
    case "closeStdin":
      if (glue) glue.close_stdin(message.instance);
      break;
    case "net":
      if (glue) glue.net(message);
      break;
    case "cancel":
      if (glue) glue.cancel(message.reason || "cancelled", message.instance);
      break;
    case "sync":
      booted.then(() => reply(message.id, () => glue.sync));
      break;
    case "instantiate":
      // linked: it imports an open instance's exports, so it comes in that instance's turn
      if (message.linked) booted.then(() => instantiateGuest(message, guestOf(message)));
      else {
        const guest = guestOf(message);
        enqueue(() => booted.then(() => instantiateGuest(message, guest)));
      }
      break;
    case "call":
      reply(message.id, () => glue.call, message.instance, message.name, message.args ?? []);
      break;
    case "drop":
      reply(message.id, () => glue.drop, message.instance, message.handle);
      break;
    case "memory":
      if (message.op === "read") reply(message.id, () => glue.memory_read, message.instance, message.ptr, message.length);
      else reply(message.id, () => glue.memory_write, message.instance, message.ptr, message.data);
      break;
    case "close":
      reply(message.id, () => glue.close, message.instance).then((answer) => {
        if (answer.error === undefined) closers.get(message.instance)?.();
      });
      break;
    case "mount":
    case "unmount":
      enqueue(() => booted.then(() => reply(message.id, () => glue[message.type], ...[message.name, message.spec].slice(0, message.type === "mount" ? 2 : 1))));
      break;
    case "store":
      enqueue(() => booted.then(() => reply(message.id, () => glue.store, message.operation, message.name ?? null, message.data ?? null, message.backend ?? null)));
      break;
  }
};

async function boot() {
  const started = performance.now();
  progress("pyodide", 0.05);
  // Nothing waits for what it does not need: our files are fetched, and the snapshot kept is read,
  // as Pyodide's boot starts (its lock file, pyodide.asm.mjs), while the snapshot's name is computed.
  const files = fetchFiles();
  files.catch(() => {}); // its failure is reported where it is awaited
  const stored = SNAPSHOTS_POSSIBLE ? readKept() : null;
  stored?.catch(() => {}); // as if there were none, where it is awaited
  mark("pyodide-loader");
  const keyed = SNAPSHOTS_POSSIBLE ? files.then(({ wheels, source }) => snapshotName(version, wheels[0], source)) : null;
  const indexURL = new URL("vendor/pyodide/", base).href;
  // pyodide.asm.wasm under a versioned URL, kept with the code V8 compiled for it, and compiled
  // while the snapshot is read (versioned_fetch.js)
  const load = (options) => withVersionedFetch(
    new URL("pyodide.asm.wasm", indexURL).href, version, () => loadPyodide({ indexURL, ...options }),
    () => mark("pyodide-compiled"),
  );
  const restored = keyed && (await bootFromSnapshot(load, keyed, files, stored));
  let pyodide = restored?.pyodide;
  const fromSnapshot = Boolean(pyodide);
  const [{ names, wheels, source }, key] = await Promise.all([files, keyed]);
  pyodide ||= await load({ _makeSnapshot: key !== null });
  mark("pyodide-loaded");
  progress("wheels", 0.6);
  install(pyodide, wheels, source);
  mark("wheels-installed");
  if (!fromSnapshot) {
    progress("import", 0.85);
    preload(pyodide, wheels.length);
    mark("imported");
    if (key) saveSnapshot(pyodide, key);
  }
  const pyodideMs = performance.now() - started;
  const module = pyodide.pyimport("pywasi_worker");
  glue = {
    run: module.run,
    feed_stdin: module.feed_stdin,
    close_stdin: module.close_stdin,
    cancel: module.cancel,
    net: module.net,
    sync: module.sync,
    store: module.store,
    instantiate: module.instantiate,
    call: module.call,
    drop: module.drop,
    memory_read: module.memory_read,
    memory_write: module.memory_write,
    close: module.close,
    mount: module.mount,
    unmount: module.unmount,
    codeCacheWarmUp: module.code_cache_warm_up,
  };
  const { mode } = await initialized;
  if (names.coverage) await startCoverage(pyodide, names.coverage, wheelPath(wheels.length - 1));
  const info = module.info(mode);
  mark("ready");
  progress("ready", 1);
  postMessage({
    type: "ready",
    bootMs: performance.now() - started,
    pyodideMs,
    fromSnapshot,
    preparedSnapshot: Boolean(restored?.prepared),
    timeline: bootTimeline(),
    pyodideVersion: pyodide.version,
    crossOriginIsolated: self.crossOriginIsolated,
    lacking: LACKING,
    ...info,
  });
  return pyodide;
}

/** This boot's marks and fetches as [name, start, end] in milliseconds since the page's navigation
 * began (performance.timeOrigin of a dedicated worker is its own start, so times are moved onto the
 * page's clock by the page's timeOrigin, which the init message carries); a fetch's name is its path,
 * followed by " (cached)" when nothing came over the network (an unchanged file: a 304, or the
 * HTTP cache). */
function bootTimeline() {
  const shift = performance.timeOrigin - (pageOrigin ?? performance.timeOrigin);
  const marks = performance.getEntriesByType("mark").filter((entry) => entry.name.startsWith("pywasi:"))
    .map((entry) => [entry.name.slice("pywasi:".length), entry.startTime + shift, entry.startTime + shift]);
  const fetches = performance.getEntriesByType("resource").map((entry) => [
    new URL(entry.name).pathname + (entry.transferSize < entry.encodedBodySize ? " (cached)" : ""),
    entry.startTime + shift,
    entry.responseEnd + shift,
  ]);
  return [...marks, ...fetches].sort((a, b) => a[1] - b[1]);
}

// Warm start: a Pyodide memory snapshot taken once our modules are imported, kept in OPFS
// (snapshot_store.js) under the Pyodide version and a hash of our wheel and glue. A page outside a
// secure context (plain http from a host other than localhost) has neither OPFS nor crypto.subtle:
// it boots cold every time, and says so (with what else it lacks) in the ready message's `lacking`.
const LACKING = [
  SNAPSHOTS_POSSIBLE ? null : "no warm start: keeping the Pyodide snapshot needs OPFS and crypto.subtle " +
    "(a secure context: https or localhost), so every boot is cold",
  globalThis.navigator?.locks ? null : "no Web Locks: a persistent store is not locked against other tabs",
  globalThis.navigator?.storage?.getDirectory ? null : "no OPFS: only IndexedDB stores",
].filter(Boolean);
if (LACKING.length) console.warn(`pywasi: this page lacks: ${LACKING.join("; ")}`);

/** Our wheels (pywasi_web's first) and the glue module's source, as wheels/index.json names them. */
async function fetchFiles() {
  const names = await (await fetch(new URL("wheels/index.json", base))).json();
  if (!names.pywasi_web) throw new Error("build/wheels has no pywasi_web wheel: run prepare_assets()");
  const fetchBytes = async (url) => new Uint8Array(await (await fetch(url)).arrayBuffer());
  const [wheels, source] = await Promise.all([
    Promise.all([names.pywasi_web, names.micropip, names.coverage?.wheel].filter(Boolean).map((name) => fetchBytes(new URL(`wheels/${name}`, base)))),
    fetch(new URL("pywasi_worker.py", base)).then((response) => response.text()),
  ]);
  mark("wheels-fetched");
  return { names, wheels, source };
}

const NO_SNAPSHOT = new Error("no snapshot stored");

/** {pyodide, prepared} booted from the snapshot `stored` (snapshot_store.js's readKept: read before
 * its name can be computed, which waits for our wheels) when it is kept under `keyed` (a promise of
 * the name this boot computes) or, when it is not, from the one the server prepared ahead of the
 * first visit (`prepared`: web/prepare_snapshot.mjs; /wheels/index.json names it, and it is used only
 * under that very name, so one of other code, of another Pyodide or made without JSPI never is); or
 * null: there is none, or Pyodide rejected it (then it is dropped, and the boot goes on cold with a
 * warning).
 * loadPyodide is called at once and waits for the snapshot's bytes only before instantiating, so its
 * first steps overlap finding them; when there are none, it stops there, and the cold boot after it
 * finds pyodide.asm.mjs already loaded. */
async function bootFromSnapshot(load, keyed, files, stored) {
  let prepared = false;
  const read = async () => {
    const key = await keyed;
    const kept = await stored.catch(() => null);
    let bytes = kept?.name === key ? await kept.bytes : null;
    const { names } = await files;
    if (!bytes && names.snapshot === key) {
      const response = await fetch(new URL(`snapshots/${key}`, base));
      if (response.ok) [bytes, prepared] = [new Uint8Array(await response.arrayBuffer()), true];
    }
    if (!bytes) throw NO_SNAPSHOT;
    mark(prepared ? "snapshot-fetched" : "snapshot-read");
    return bytes;
  };
  const snapshot = read();
  snapshot.catch(() => {}); // awaited by loadPyodide, unless it failed before asking for it
  try {
    const pyodide = await load({ _loadSnapshot: snapshot });
    if (prepared) store(await keyed, await snapshot);
    return { pyodide, prepared };
  } catch (error) {
    const key = await keyed; // throws what failed first when our files could not be fetched
    if (error === NO_SNAPSHOT) return null;
    console.warn(`pywasi: the Pyodide snapshot was rejected, booting cold: ${error && error.message}`);
    if (!prepared) await forget(key);
    return null;
  }
}

/** Store a snapshot of this fresh interpreter for the next page load. */
function saveSnapshot(pyodide, key) {
  let snapshot;
  try {
    snapshot = pyodide.makeMemorySnapshot();
  } catch (error) {
    console.warn(`pywasi: no Pyodide snapshot for a warm start: ${error && error.message}`);
    return;
  }
  store(key, snapshot);
}

/** Keep `snapshot` as the one snapshot, named `key`. */
async function store(key, snapshot) {
  try {
    await keep(key, snapshot);
  } catch (error) {
    console.warn(`pywasi: no Pyodide snapshot for a warm start: ${error && error.message}`);
  }
}

// Only under the tests' measuring server (playwright/pyodide_coverage.py), whose wheels/index.json
// names coverage's wheel and collector: this worker's Python is measured from here on (after the
// snapshot, which stays clean) and the data is posted back after each run and reply. Coverage's
// wheel (the last one installed) is put on sys.path here when the snapshot's does not name it: the
// one prepared in Node was made without it.
let reportCoverage = null;

async function startCoverage(pyodide, { collector, packages }, wheel) {
  pyodide.runPython(`import sys\nif ${JSON.stringify(wheel)} not in sys.path: sys.path.append(${JSON.stringify(wheel)})`);
  pyodide.FS.writeFile(`/home/pyodide/${collector}`, await (await fetch(new URL(`wheels/${collector}`, base))).text());
  const measured = pyodide.pyimport(collector.replace(/\.py$/, ""));
  measured.start(pyodide.toPy(packages));
  const target = new URL(`coverage/worker-${Date.now()}-${Math.random().toString(36).slice(2)}`, base);
  reportCoverage = async () => {
    const data = measured.dumps();
    try {
      await fetch(target, { method: "POST", body: data.toJs() });
    } catch (error) {
      console.warn(`pywasi: coverage data not sent: ${error}`); // the page's answer must not wait on it
    } finally {
      data.destroy();
    }
  };
}

/** How the glue streams a guest's output, trace lines and network messages to the page. */
function emitter(id) {
  return (kind, payload) => {
    if (kind === "trace") postMessage({ type: "trace", id, line: payload });
    else if (kind === "net") postMessage({ type: "net", id, ...payload }, payload.data ? [payload.data.buffer] : []);
    else postMessage({ type: kind, id, data: payload }, [payload.buffer]);
  };
}

// The guest a "prefetch" message named: pywasi.js sends one as a run or instance given by URL
// starts, before it waits for this worker's boot, and the message that follows is that run's
let prefetched = null; // {url, guest}

/** The guest of a "run" or "instantiate" message, prefetched if it was (one message takes it). */
function guestOf(message) {
  const early = prefetched;
  prefetched = null;
  return early && message.url !== undefined && early.url === message.url ? early.guest : loadGuest(message);
}

/** The guest of a "run", "instantiate" or "prefetch" message: its bytes (`wasm`), or its `url`,
 * fetched and compiled here (guest_fetch.js), then offered to the engine just before the guest
 * runs. The fetch does not wait for the boot; what it fails with is the run's error, where the run
 * awaits it. */
function loadGuest({ wasm, url, name, options }) {
  if (url === undefined) return Promise.resolve({ bytes: wasm instanceof Uint8Array ? wasm : new Uint8Array(wasm) });
  const wanted = async (digest) => (await engineHooks()).wants_compiled(digest, options?.maxMemoryBytes); // undefined: None
  const guest = fetchGuest(url, name, wanted);
  guest.catch(() => {}); // awaited by the run
  return guest;
}

let hooks = null;
/** engines/js.py's wants_compiled and offer_compiled, looked up once. */
async function engineHooks() {
  hooks ||= (await booted).pyimport("pywasi_web.engines.js");
  return hooks;
}

/** Hand the engine what loadGuest compiled: call at once before the glue function that compiles. */
function offer(guest) {
  if (guest.module) hooks.offer_compiled(guest.digest, guest.module);
}

async function runGuest(message, loading) {
  const { id, options = {} } = message;
  const emit = emitter(id);
  let timer = null;
  let result;
  try {
    const guest = await loading;
    const { timeoutMs, ...rest } = options;
    const { mode, channel } = await initialized;
    const { transports } = await netTransports;
    if (timeoutMs) {
      timer = setTimeout(() => glue.cancel(`the guest ran longer than ${timeoutMs / 1000} s`), timeoutMs);
    }
    offer(guest);
    result = await callGlue(mode, glue.run, guest.bytes, rest, emit, mode, channel, transports);
  } catch (error) {
    const kind = error instanceof GuestFetchError ? "module" : "internal";
    result = { exitCode: null, error: { kind, message: describe(error) }, durationMs: 0 };
  } finally {
    clearTimeout(timer);
  }
  if (reportCoverage) await reportCoverage();
  postMessage({ type: "exit", id, ...result });
  afterGuest();
}

const closers = new Map(); // instance id -> ends its turn in the queue

/** Instantiate a module the page drives; the queue waits until the page closes it. */
async function instantiateGuest(message, loading) {
  const { id, options = {} } = message;
  const emit = emitter(id);
  const closed = new Promise((resolve) => closers.set(id, resolve));
  const { mode, channel } = await initialized;
  const { transports } = await netTransports;
  let guest;
  try {
    guest = await loading;
  } catch (error) {
    closers.delete(id);
    postMessage({ type: "reply", id, error: describe(error), ...(error instanceof GuestFetchError ? { kind: "module" } : {}) });
    return;
  }
  const pick = () => {
    offer(guest);
    return glue.instantiate;
  };
  const answer = await reply(id, pick, id, guest.bytes, options, emit, mode, channel, transports);
  if (answer.error === undefined) await closed;
  closers.delete(id);
  afterGuest();
}

// Once a guest has run (so that the functions it ran are among those V8's code lists), V8's code
// cache for Pyodide is warmed, at most once per page and once per browser (code_cache.js). Not
// without OPFS, where that it was done could not be kept.
let warming = false;

function afterGuest() {
  if (warming || !SNAPSHOTS_POSSIBLE) return;
  warming = true;
  warmOnce(version, glue.codeCacheWarmUp, enqueue).catch((error) => {
    console.warn(`pywasi: V8's code cache was not warmed: ${error && error.message}`);
  });
}

/** Answer a "sync" or "store" request: the glue function waits for the store (IndexedDB, OPFS) with
 * run_sync, so it is entered as callGlue enters it (without JSPI it answers with a clear error). */
async function reply(id, pick, ...args) {
  let answer;
  try {
    const { mode } = await initialized;
    answer = await callGlue(mode, pick(), ...args);
  } catch (error) {
    answer = { error: describe(error) };
  }
  if (reportCoverage) await reportCoverage();
  postMessage({ type: "reply", id, ...answer });
  return answer;
}

/** Call a Python glue function that may wait: with callPromising (stack switching) under JSPI. */
function callGlue(mode, fn, ...args) {
  return mode === "jspi" ? fn.callPromising(...args) : fn(...args);
}

/** One line for the page: a Python exception's message is its whole traceback, of which the last
 * line ("TypeError: ...") says what happened. */
function describe(error) {
  const text = String(error && error.message || error).trim();
  return text.startsWith("Traceback") ? text.split("\n").pop() : text;
}

function blockingMode(requested, channel) {
  const jspi = typeof WebAssembly.Suspending === "function" && typeof WebAssembly.promising === "function";
  if (jspi && (requested === "auto" || requested === "jspi")) return "jspi";
  if (channel && requested !== "none") return "atomics";
  return "none";
}

const booted = boot().catch((error) => {
  postMessage({ type: "error", message: String(error && error.stack || error) });
  throw error;
});
