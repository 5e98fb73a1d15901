// The playground: runs an example or an uploaded .wasm in the pywasi worker, with an xterm.js terminal
// for output and interactive input, and a files panel for what the guest sees under /.
import { Terminal } from "./vendor/xterm/lib/xterm.mjs";
import { createRuntime, jspiAvailable } from "./pywasi.js";

const $ = (id) => document.getElementById(id);

const CTRL_C = "\x03";
const CTRL_D = "\x04";
const STDERR_COLOUR = "\x1b[91m";
const DEFAULT_COLOUR = "\x1b[39m";
const ERROR_TITLES = {
  module: "This module cannot run",
  trap: "The program trapped",
  timeout: "Stopped",
};

const terminal = new Terminal({ convertEol: true, cursorBlink: true, cols: 100, rows: 26, fontSize: 13 });
const state = {
  programs: new Map(), // <select> value -> {wasm: URL or bytes, argv0, description, example?}
  files: {}, // guest path -> Uint8Array: the next run's "/" mount
  downloads: [], // object URLs of the files panel, revoked on each redraw
  canWait: true, // the worker can block a guest on input (JSPI or Atomics.wait): stdin can be the terminal
  running: false,
  stdinOpen: false, // the running guest reads what is typed in the terminal
  line: "", // the line being typed (sent on Enter, as a terminal in cooked mode does)
  stopped: false,
};

async function main() {
  terminal.open($("terminal"));
  window.playground = { terminalText }; // for tests and the console
  const examples = loadExamples();
  const started = performance.now();
  // ?blocking=atomics|none forces how a guest waits (to try the fallbacks in a browser with JSPI).
  const blocking = new URLSearchParams(location.search).get("blocking") ?? undefined;
  let booted = false;
  const onReady = (info) => {
    // the first boot is timed; later ones follow Stop or a timeout (kill() boots a new worker)
    showReady(info, booted ? undefined : performance.now() - started);
    booted = true;
  };
  const runtime = await createRuntime({ onProgress: showProgress, onReady, blocking });
  window.pywasiRuntime = runtime;
  await examples;

  $("example").onchange = () => selectProgram($("example").value);
  $("upload-wasm").onchange = (event) => uploadWasm(event.target);
  $("upload-files").onchange = (event) => uploadFiles(event.target);
  $("store-export").onclick = () => exportStore(runtime);
  $("store-clear").onclick = () => clearStore(runtime);
  $("store-import").onchange = (event) => importStore(runtime, event.target);
  $("store-backend").onchange = () => listStores(runtime);
  $("run").onclick = () => run(runtime);
  $("stop").onclick = () => stop(runtime);
  terminal.onData((data) => onTerminalInput(runtime, data));
  $("run").disabled = false;
  listStores(runtime);
}

// ---- loading and status

function showProgress({ stage, fraction }) {
  $("progress").hidden = false;
  $("progress").value = fraction;
  $("status").textContent = `loading Python in the worker: ${stage}…`;
}

function showReady(info, bootMs) {
  $("progress").hidden = true;
  const took = bootMs === undefined ? "" : ` in ${(bootMs / 1000).toFixed(1)} s`;
  $("status").textContent = `ready${took}, ${blockingMode(info)}`;
  state.canWait = info.blocking !== "none";
  showInputHint();
}

/** How the guest can wait for input, said plainly (JSPI, Atomics on an isolated page, or not at all). */
function blockingMode(info) {
  if (info.blocking === "jspi") {
    return info.crossOriginIsolated ? "JSPI, cross-origin isolated" : "JSPI-only mode (not cross-origin isolated)";
  }
  if (info.blocking === "atomics") return "no JSPI: input waits through SharedArrayBuffer (Atomics.wait)";
  return "input is not interactive: stdin is given up front";
}

function showInputHint(interactive = false) {
  $("input-hint").textContent = !state.canWait
    ? `Input is not interactive: ${notInteractiveReason()}, so a guest cannot wait for what you type. ` +
      "It reads only the stdin box, given up front, and then end of input."
    : interactive
      ? "The guest reads what you type in the terminal: Enter sends a line, Ctrl-D ends input, Ctrl-C stops."
      : "";
}

function notInteractiveReason() {
  const missing = [];
  if (!jspiAvailable()) missing.push("this browser has no JSPI (WebAssembly.Suspending)");
  if (!window.crossOriginIsolated) missing.push("the page is not cross-origin isolated (no SharedArrayBuffer)");
  return missing.length ? missing.join(" and ") : "waiting is turned off (?blocking=none)";
}

// ---- programs: the examples and uploads

async function loadExamples() {
  const examples = await (await fetch("examples/index.json")).json();
  for (const example of examples) {
    state.programs.set(example.name, {
      wasm: `examples/${example.name}.wasm`,
      argv0: `${example.name}.wasm`,
      description: example.description,
      example,
    });
  }
  $("example").replaceChildren(...examples.map((example) => new Option(example.name, example.name)));
  selectProgram(examples[0].name);
}

/** Show a program; an example also brings its default arguments, environment, stdin and files. */
function selectProgram(value) {
  const program = state.programs.get(value);
  $("example").value = value;
  $("description").textContent = program.description;
  const example = program.example;
  if (!example) return;
  $("args").value = (example.args ?? []).map(quoteArg).join(" ");
  $("env").value = Object.entries(example.env ?? {}).map(([name, value]) => `${name}=${value}`).join("\n");
  $("stdin").value = example.stdin ?? "";
  const encoder = new TextEncoder();
  state.files = Object.fromEntries(Object.entries(example.files ?? {}).map(([path, text]) => [path, encoder.encode(text)]));
  renderFiles();
}

/**
 * An example's sockets ({fetch: path} in examples/index.json) as run options: the fetch origin is
 * resolved against this page, so an example reaches the server it came from, and only that.
 */
function exampleSockets(example) {
  const sockets = (example?.sockets ?? []).map((spec) => ({ fetch: new URL(spec.fetch, location.href).origin }));
  return { sockets, allow: sockets.map((spec) => spec.fetch) };
}

async function uploadWasm(input) {
  const file = input.files[0];
  if (!file) return;
  const value = `upload:${file.name}`;
  state.programs.set(value, {
    wasm: new Uint8Array(await file.arrayBuffer()),
    argv0: file.name,
    description: `${file.name}: uploaded, ${file.size} bytes.`,
  });
  if (![...$("example").options].some((option) => option.value === value)) {
    $("example").append(new Option(`${file.name} (uploaded)`, value));
  }
  selectProgram(value);
  input.value = ""; // so the same file can be uploaded again after a rebuild
}

// ---- running

async function run(runtime) {
  const program = state.programs.get($("example").value);
  clearOutput();
  let options;
  try {
    options = { args: splitArgs($("args").value), env: parseEnv($("env").value) };
  } catch (error) {
    showError("Invalid input", error.message);
    return;
  }
  const stdin = $("stdin").value;
  const interactive = stdin === "" && state.canWait;
  beginRun(interactive);
  let result;
  try {
    result = await runtime.run(program.wasm, {
      ...options,
      argv0: program.argv0,
      stdin,
      interactive,
      files: state.files,
      ...exampleSockets(program.example),
      mounts: $("persistent").checked ? { "/home": { persistent: $("store-name").value, backend: storeBackend() } } : {},
      onStdout: (data) => terminal.write(data),
      onStderr: writeStderr,
    });
  } catch (error) {
    result = { exitCode: null, files: {}, error: { kind: "internal", message: error.message } };
  }
  endRun(result);
  if ($("persistent").checked) listStores(runtime);
}

function writeStderr(data) {
  terminal.write(STDERR_COLOUR);
  terminal.write(data);
  terminal.write(DEFAULT_COLOUR);
}

function clearOutput() {
  terminal.reset();
  $("exit").textContent = "";
  $("error").hidden = true;
}

function beginRun(interactive) {
  Object.assign(state, { running: true, stdinOpen: interactive, line: "", stopped: false });
  $("run").disabled = true;
  $("stop").disabled = false;
  showInputHint(interactive);
  if (interactive) terminal.focus();
}

function endRun(result) {
  Object.assign(state, { running: false, stdinOpen: false });
  $("run").disabled = false;
  $("stop").disabled = true;
  showInputHint();
  const exit = result.exitCode === null || result.exitCode === undefined ? "no exit code" : `exit ${result.exitCode}`;
  const took = result.durationMs === undefined ? "" : ` in ${result.durationMs.toFixed(1)} ms`;
  $("exit").textContent = `${exit}${took}`;
  if (result.error) {
    const { kind, message, backtrace } = result.error;
    showError(ERROR_TITLES[kind] ?? `Error (${kind})`, message, backtrace);
  }
  if (!state.stopped) {
    state.files = result.files; // a stopped run reports no files: keep what the guest was given
    renderFiles();
  }
}

function showError(title, message, backtrace) {
  $("error").hidden = false;
  $("error-message").textContent = `${title}: ${message}`;
  $("backtrace").hidden = !backtrace;
  $("backtrace").textContent = backtrace ? `wasm backtrace:\n${backtrace}` : "";
}

function stop(runtime) {
  if (!state.running) return;
  state.stopped = true;
  // kill() restarts the worker: a new Pyodide boot, shown by the progress bar until onReady.
  runtime.kill("stopped by the user");
}

// ---- the terminal as stdin: a cooked-mode line editor (echo, Backspace, Enter, Ctrl-D, Ctrl-C)

function onTerminalInput(runtime, data) {
  if (data === CTRL_C) {
    terminal.write("^C\r\n");
    stop(runtime);
    return;
  }
  if (!state.stdinOpen || data.startsWith("\x1b")) return; // not reading, or an arrow/function key
  for (const char of data) editLine(runtime, char);
}

function editLine(runtime, char) {
  if (char === "\r") {
    terminal.write("\r\n");
    runtime.write(`${state.line}\n`);
    state.line = "";
  } else if (char === "\x7f" || char === "\b") {
    if (!state.line) return;
    state.line = [...state.line].slice(0, -1).join("");
    terminal.write("\b \b");
  } else if (char === CTRL_D) {
    // As a tty: Ctrl-D sends the pending line without a newline, or ends input on an empty line.
    if (state.line) runtime.write(state.line);
    else endInput(runtime);
    state.line = "";
  } else if (char >= " " || char === "\t") {
    state.line += char;
    terminal.write(char);
  }
}

function endInput(runtime) {
  state.stdinOpen = false;
  runtime.closeStdin();
}

/** The terminal's text, wrapped rows joined (what tests compare). */
function terminalText() {
  const buffer = terminal.buffer.active;
  let text = "";
  for (let row = 0; row < buffer.length; row++) {
    const line = buffer.getLine(row);
    text += (row > 0 && !line.isWrapped ? "\n" : "") + line.translateToString(true);
  }
  return text.trimEnd();
}

// ---- files panel

async function uploadFiles(input) {
  for (const file of input.files) state.files[`/data/${file.name}`] = new Uint8Array(await file.arrayBuffer());
  input.value = "";
  renderFiles();
}

function renderFiles() {
  for (const url of state.downloads) URL.revokeObjectURL(url);
  state.downloads = [];
  $("files").replaceChildren(...Object.keys(state.files).sort().map(fileItem));
}

function fileItem(path) {
  const data = state.files[path];
  const url = URL.createObjectURL(new Blob([data]));
  state.downloads.push(url);
  const item = document.createElement("li");
  item.dataset.path = path;
  const link = Object.assign(document.createElement("a"), { href: url, download: path.split("/").pop(), textContent: path });
  link.title = "download";
  const size = Object.assign(document.createElement("span"), { className: "size", textContent: formatSize(data.length) });
  const remove = Object.assign(document.createElement("button"), { textContent: "×", title: `remove ${path}` });
  remove.onclick = () => {
    delete state.files[path];
    renderFiles();
  };
  item.append(link, size, remove);
  return item;
}

function formatSize(bytes) {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
}

// ---- persistent stores (IndexedDB or OPFS): list, export, import, clear

const storeBackend = () => $("store-backend").value;

async function storeAction(what, action) {
  $("store-status").textContent = `${what}…`;
  try {
    $("store-status").textContent = (await action()) ?? "";
  } catch (error) {
    $("store-status").textContent = `${what} failed: ${error.message}`;
  }
}

/** Show the stores as buttons that pick one; the status line keeps the last action's outcome. */
async function listStores(runtime) {
  let names;
  try {
    names = await runtime.stores(storeBackend());
  } catch (error) {
    $("store-status").textContent = `listing stores failed: ${error.message}`;
    return;
  }
  $("stores").replaceChildren(...names.map((name) => {
    const item = document.createElement("li");
    item.dataset.store = name;
    const pick = Object.assign(document.createElement("button"), { textContent: name, title: `use store ${name}` });
    pick.onclick = () => { $("store-name").value = name; };
    item.append(pick);
    return item;
  }));
}

function exportStore(runtime) {
  const name = $("store-name").value;
  return storeAction(`exporting ${name}`, async () => {
    const tar = await runtime.exportStore(name, storeBackend());
    const url = URL.createObjectURL(new Blob([tar], { type: "application/x-tar" }));
    Object.assign(document.createElement("a"), { href: url, download: `${name}.tar` }).click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    return `exported ${name}.tar`;
  });
}

async function importStore(runtime, input) {
  const file = input.files[0];
  input.value = "";
  if (!file) return;
  const name = $("store-name").value;
  await storeAction(`importing ${file.name}`, async () => {
    await runtime.importStore(name, new Uint8Array(await file.arrayBuffer()), storeBackend());
    return `imported ${file.name} into ${name}`;
  });
  listStores(runtime);
}

async function clearStore(runtime) {
  const name = $("store-name").value;
  await storeAction(`clearing ${name}`, async () => {
    await runtime.clearStore(name, storeBackend());
    return `cleared ${name}`;
  });
  listStores(runtime);
}

// ---- arguments and environment as text

/** Split like a shell, without expansions: whitespace separates, '…' and "…" quote. */
function splitArgs(text) {
  const args = [];
  let current = null;
  let quote = null;
  for (const char of text) {
    if (quote) {
      if (char === quote) quote = null;
      else current += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      current ??= "";
    } else if (/\s/.test(char)) {
      if (current !== null) args.push(current);
      current = null;
    } else {
      current = (current ?? "") + char;
    }
  }
  if (quote) throw new Error(`arguments: the quote ${quote} is not closed`);
  if (current !== null) args.push(current);
  return args;
}

function quoteArg(arg) {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'"'"'`)}'`;
}

function parseEnv(text) {
  const env = {};
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const equals = line.indexOf("=");
    if (equals <= 0) throw new Error(`environment: "${line}" is not NAME=VALUE`);
    env[line.slice(0, equals)] = line.slice(equals + 1);
  }
  return env;
}

main().catch((error) => {
  $("status").textContent = `failed: ${error.message}`;
  $("progress").hidden = true;
  console.error(error);
});
