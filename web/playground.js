// The playground: runs an example, a gallery program or an uploaded .wasm in the pywasi worker, with
// an xterm.js terminal for output and interactive input, a trace of the WASI calls, a files panel
// (a tree of what the guest sees, with a viewer and editor) and links that restore a run.
import { Terminal } from "./vendor/xterm/lib/xterm.mjs";
import { createRuntime, jspiAvailable } from "./pywasi.js";
import { FilesPanel } from "./playground_files.js";
import { describeError } from "./playground_messages.js";
import { readShared, shareLink } from "./playground_share.js";
import { TracePanel } from "./playground_trace.js";

const $ = (id) => document.getElementById(id);

const CTRL_C = "\x03";
const CTRL_D = "\x04";
const STDERR_COLOUR = "\x1b[33m"; // stderr is the program's other output, not necessarily an error
const DEFAULT_COLOUR = "\x1b[39m";
const TERMINAL_THEMES = {
  light: { background: "#fbfbfc", foreground: "#1d2330", cursor: "#2f6fdf", selectionBackground: "#c9dafb", yellow: "#8a5a00", green: "#1c7c43", brightBlack: "#6b7280" },
  dark: { background: "#0f1216", foreground: "#e3e7ee", cursor: "#5b93f5", selectionBackground: "#2f4a7a", yellow: "#e2b454", green: "#4cc27f" },
};

const darkScheme = matchMedia("(prefers-color-scheme: dark)");
const TERMINAL_FONT = { fontFamily: '"DejaVu Sans Mono", Menlo, Consolas, monospace', fontSize: 13 };
const terminal = new Terminal({ convertEol: true, cursorBlink: true, cols: 100, rows: 24, ...TERMINAL_FONT, theme: terminalTheme() });
const state = {
  programs: new Map(), // <select> value -> {wasm: URL or bytes, argv0, description, example?}
  canWait: true, // the worker can block a guest on input (JSPI or Atomics.wait): stdin can be the terminal
  wired: false, // the page's controls have their handlers (Run waits for that too)
  booting: true, // the worker is (re)starting: Run waits for onReady
  running: false,
  stdinOpen: false, // the running guest reads what is typed in the terminal
  line: "", // the line being typed (sent on Enter, as a terminal in cooked mode does)
  stopped: false,
  outputURL: "", // the object URL of the output file's download link
};
const files = new FilesPanel(
  {
    list: $("files"), dropzone: $("dropzone"), editor: $("file-editor"), hex: $("file-hex"), path: $("file-path"),
    state: $("file-state"), download: $("file-download"), empty: $("file-empty"),
  },
  { onWasm: (name, data) => addUpload(name, data), onOpen: () => showTab("file") },
);
const trace = new TracePanel({
  summary: $("trace-summary"), calls: $("trace-calls"), status: $("trace-status"),
  filter: $("trace-filter"), errorsOnly: $("trace-errors"),
});

/** As many columns as the terminal's box holds (20 to 160), kept so when the page resizes. */
function fitTerminal() {
  const box = $("terminal");
  const context = document.createElement("canvas").getContext("2d");
  context.font = `${TERMINAL_FONT.fontSize}px ${TERMINAL_FONT.fontFamily}`;
  const fit = () => {
    const cols = Math.floor(box.clientWidth / context.measureText("W").width) - 1;
    const clamped = Math.max(20, Math.min(160, cols));
    if (clamped !== terminal.cols) terminal.resize(clamped, terminal.rows);
  };
  new ResizeObserver(fit).observe(box);
  fit();
}

function terminalTheme() {
  return TERMINAL_THEMES[darkScheme.matches ? "dark" : "light"];
}

async function main() {
  terminal.open($("terminal"));
  fitTerminal();
  darkScheme.addEventListener("change", () => { terminal.options.theme = terminalTheme(); });
  window.playground = { terminalText }; // for tests and the console
  for (const tab of document.querySelectorAll("[role=tab]")) tab.onclick = () => showTab(tab.dataset.tab);
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
  restoreShared();

  $("example").onchange = () => selectProgram($("example").value);
  $("upload-wasm").onchange = (event) => uploadWasm(event.target);
  $("upload-files").onchange = async (event) => {
    await files.addUploads(event.target.files);
    event.target.value = "";
  };
  $("new-file").onclick = newFile;
  $("store-export").onclick = () => exportStore(runtime);
  $("store-clear").onclick = () => clearStore(runtime);
  $("store-import").onchange = (event) => importStore(runtime, event.target);
  $("store-backend").onchange = () => listStores(runtime);
  $("run").onclick = () => run(runtime);
  $("stop").onclick = () => stop(runtime);
  $("share").onclick = share;
  terminal.onData((data) => onTerminalInput(runtime, data));
  $("share").disabled = false;
  state.wired = true;
  updateButtons();
  listStores(runtime);
}

// ---- loading and status

function showProgress({ stage, fraction }) {
  state.booting = true;
  updateButtons();
  $("progress").hidden = false;
  $("progress").value = fraction;
  $("status").textContent = `loading Python in the worker: ${stage}…`;
}

function showReady(info, bootMs) {
  state.booting = false;
  updateButtons();
  $("progress").hidden = true;
  const took = bootMs === undefined ? "" : ` in ${(bootMs / 1000).toFixed(1)} s`;
  $("status").textContent = `ready${took}, ${blockingMode(info)}`;
  state.canWait = info.blocking !== "none";
  showInputHint();
}

/** Run is usable when the worker is ready and nothing runs; Stop while something runs. */
function updateButtons() {
  $("run").disabled = !state.wired || state.booting || state.running;
  $("run").title = state.booting ? "the worker is starting" : "";
  $("stop").disabled = !state.running;
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

function showTab(name) {
  for (const tab of document.querySelectorAll("[role=tab]")) {
    tab.setAttribute("aria-selected", String(tab.dataset.tab === name));
    $(`pane-${tab.dataset.tab}`).hidden = tab.dataset.tab !== name;
  }
  if (name === "terminal") terminal.focus();
}

// ---- programs: the examples, the gallery and uploads

async function loadExamples() {
  const examples = await (await fetch("examples/index.json")).json();
  for (const example of examples) {
    state.programs.set(example.name, {
      // a URL naming the content: the browser keeps it, with the code compiled for it (guest_fetch.js)
      wasm: `examples/${example.name}.wasm${example.sha256 ? `?v=${example.sha256}` : ""}`,
      argv0: `${example.name}.wasm`,
      description: example.description,
      example,
    });
  }
  const group = (label, members) => {
    const optgroup = Object.assign(document.createElement("optgroup"), { label });
    optgroup.append(...members.map((example) => new Option(example.name, example.name)));
    return optgroup;
  };
  $("example").replaceChildren(
    group("Examples (C, built with zig)", examples.filter((example) => !example.package)),
    group("Gallery (from registry packages)", examples.filter((example) => example.package)),
  );
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
  files.set(Object.fromEntries(Object.entries(example.files ?? {}).map(([path, text]) => [path, encoder.encode(text)])));
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
  addUpload(file.name, new Uint8Array(await file.arrayBuffer()));
  input.value = ""; // so the same file can be uploaded again after a rebuild
}

/** An uploaded or dropped module becomes a program of the list, and the selected one. */
function addUpload(name, wasm) {
  const value = `upload:${name}`;
  state.programs.set(value, { wasm, argv0: name, description: `${name}: uploaded, ${wasm.length} bytes.` });
  if (![...$("example").options].some((option) => option.value === value)) {
    $("example").append(new Option(`${name} (uploaded)`, value));
  }
  selectProgram(value);
}

function newFile() {
  const answer = prompt("Path of the new file (the guest sees it there)", "/data/new.txt");
  if (!answer) return;
  const path = answer.startsWith("/") ? answer : `/${answer}`;
  files.add(path, new Uint8Array());
  files.open(path);
  showTab("file");
}

// ---- sharing a run as a link

function share() {
  const value = $("example").value;
  const { url, left } = shareLink({
    program: value, args: $("args").value, env: $("env").value, stdin: $("stdin").value, files: files.files,
  });
  $("share-box").hidden = false;
  $("share-link").value = url;
  $("share-link").select();
  const notes = [];
  if (!state.programs.get(value).example) notes.push("an uploaded .wasm is not in the link: whoever opens it uploads the same file");
  if (left.length) notes.push(`left out: ${left.join(", ")}`);
  $("share-note").textContent = notes.join("; ") || "The link restores the program, arguments, environment, stdin and files.";
  navigator.clipboard?.writeText(url).then(
    () => { $("share-note").textContent = `Copied. ${$("share-note").textContent}`; },
    () => {}, // no clipboard permission: the link is selected in the box
  );
}

/** A link made by Share (#run=…): restore its program choice, inputs and files. */
function restoreShared() {
  const shared = readShared();
  if (!shared) return;
  if (shared.error) {
    showMessage({ tone: "error", title: "This link cannot be restored", message: shared.error });
    return;
  }
  if (state.programs.has(shared.program)) selectProgram(shared.program);
  else {
    const name = shared.program.replace(/^upload:/, "");
    showMessage({ tone: "notice", title: "Open the program", message: `this link was made with ${name}, which is not on this page: open or drop the same .wasm to run it` });
  }
  $("args").value = shared.args;
  $("env").value = shared.env;
  $("stdin").value = shared.stdin;
  files.set(shared.files);
}

// ---- running

async function run(runtime) {
  const program = state.programs.get($("example").value);
  clearOutput();
  let options;
  try {
    options = { args: splitArgs($("args").value), env: parseEnv($("env").value) };
  } catch (error) {
    showMessage({ tone: "error", title: "Check the form", message: error.message });
    return;
  }
  const stdin = $("stdin").value;
  const interactive = stdin === "" && state.canWait;
  const traced = $("trace").checked;
  const given = { ...files.files };
  if (program.example?.reactor) return callExport(runtime, program, options, given);
  beginRun(interactive);
  let result;
  try {
    result = await runtime.run(program.wasm, {
      ...options,
      argv0: program.argv0,
      stdin,
      interactive,
      trace: traced,
      files: given,
      returnFiles: "all", // the files panel shows the whole tree the guest left
      ...exampleSockets(program.example),
      mounts: $("persistent").checked ? { "/home": { persistent: $("store-name").value, backend: storeBackend() } } : {},
      onStdout: (data) => terminal.write(data),
      onStderr: writeStderr,
    });
  } catch (error) {
    result = { exitCode: null, files: {}, error: { kind: "internal", message: error.message } };
  }
  if (!program.example && /reactor module/.test(result.error?.message ?? "")) {
    return callExport(runtime, program, options, given); // an uploaded library: call an export instead
  }
  endRun(result, given, traced);
  if ($("persistent").checked) listStores(runtime);
}

/**
 * A reactor (a library: `_initialize`, no `_start`): instantiate it, call the export the arguments
 * name with the numbers after it (`fib 80`), print the result, then close the instance.
 */
async function callExport(runtime, program, options, given) {
  const [name, ...args] = options.args;
  beginRun(false);
  let result;
  try {
    const instance = await runtime.instantiate(program.wasm, {
      argv0: program.argv0,
      env: options.env,
      files: given,
      returnFiles: "all",
      onStdout: (data) => terminal.write(data),
      onStderr: writeStderr,
    });
    const callable = Object.entries(instance.exports)
      .filter(([exportName, kind]) => kind === "func" && !exportName.startsWith("_"))
      .map(([exportName]) => exportName);
    terminal.write(`exports: ${callable.join(", ")}\r\n`);
    if (callable.includes(name)) {
      const value = await instance.call(name, ...args.map(Number));
      terminal.write(`${name}(${args.join(", ")}) = ${Array.isArray(value) ? value.join(", ") : value}\r\n`);
    } else {
      terminal.write(`${STDERR_COLOUR}name one of these exports first in Arguments, then its arguments${DEFAULT_COLOUR}\r\n`);
    }
    result = await instance.close();
  } catch (error) {
    result = { exitCode: null, files: {}, error: { kind: "module", message: error.message } };
  }
  endRun(result, given, false);
}

function writeStderr(data) {
  terminal.write(STDERR_COLOUR);
  terminal.write(data);
  terminal.write(DEFAULT_COLOUR);
}

function clearOutput() {
  terminal.reset();
  $("terminal-empty").hidden = true;
  $("exit").textContent = "";
  $("exit").className = "exit";
  $("error").hidden = true;
  $("notice").hidden = true;
}

function beginRun(interactive) {
  Object.assign(state, { running: true, stdinOpen: interactive, line: "", stopped: false });
  updateButtons();
  showInputHint(interactive);
  showTab("terminal");
  if (matchMedia("(max-width: 60rem)").matches) $("work").scrollIntoView({ block: "start" }); // one column: bring the output up
}

function endRun(result, given, traced) {
  Object.assign(state, { running: false, stdinOpen: false });
  updateButtons();
  showInputHint();
  const exit = result.exitCode === null || result.exitCode === undefined ? "no exit code" : `exit ${result.exitCode}`;
  const took = result.durationMs === undefined ? "" : ` in ${result.durationMs.toFixed(1)} ms`;
  $("exit").textContent = `${exit}${took}`;
  $("exit").className = `exit ${result.exitCode === 0 && !result.error ? "ok" : "bad"}`;
  if (result.error) showMessage(describeError(result.error, { stopped: state.stopped }));
  else if (result.notice) showMessage({ tone: "notice", title: "Note", message: result.notice });
  const why = !traced
    ? "This run was not traced: tick “trace the WASI calls” and run again."
    : state.stopped ? "A stopped run reports no trace." : "The program did not start, so it made no calls.";
  trace.show(result.trace, why);
  // a stopped run reports no files, nor one refused before its mounts existed: keep what the guest was given
  if (state.stopped || (result.error && !Object.keys(result.files).length)) return;
  files.set(guestTree(result), given);
  const output = state.programs.get($("example").value).example?.output;
  if (output && output in result.files && !result.error) showOutput(output);
}

/** What the guest left under "/": files, directories (even empty ones) and symlinks. */
function guestTree(result) {
  const tree = result.trees?.["/"];
  return tree ? Object.fromEntries(Object.entries(tree).map(([path, entry]) => [`/${path}`, entry])) : result.files;
}

/** A program's output file (a gallery compiler's), offered for download under the terminal; its
 * link outlives the files panel's redraws (which revoke theirs) until the next output. */
function showOutput(path) {
  URL.revokeObjectURL(state.outputURL);
  const link = files.downloadLink(path, document.createElement("a"), { kept: true });
  state.outputURL = link.href;
  link.textContent = `Download ${path.split("/").pop()}`;
  link.className = "button";
  link.dataset.testid = "output-download";
  $("notice").hidden = false;
  $("notice").replaceChildren(`The program wrote ${path}. `, link);
}

/** An error under the terminal (red), or a notice (neutral) such as a run you stopped. */
function showMessage({ tone, title, message, help, backtrace }) {
  const box = tone === "error" ? $("error") : $("notice");
  box.hidden = false;
  if (tone !== "error") {
    box.textContent = `${title}: ${message}`;
    return;
  }
  $("error-message").textContent = `${title}: ${message}`;
  $("error-help").textContent = help ?? "";
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
    if (!state.running) return;
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
