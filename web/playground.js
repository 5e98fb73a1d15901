// The playground page: picks an example, runs it in the pywasi worker, shows output and files.
// The output <pre> and the file list are the places where xterm.js and a file browser plug in later.
import { createRuntime } from "./pywasi.js";

const $ = (id) => document.getElementById(id);
const output = $("output");
const decoder = new TextDecoder();

function show(kind, text) {
  const span = document.createElement("span");
  span.className = kind;
  span.textContent = text;
  output.append(span);
}

async function loadExamples() {
  const names = await (await fetch("examples/index.json")).json();
  $("example").replaceChildren(...names.map((name) => new Option(name, name)));
}

async function main() {
  const examples = loadExamples();
  const started = performance.now();
  const runtime = await createRuntime({
    onProgress: ({ stage, fraction }) => {
      $("status").textContent = `loading: ${stage}`;
      $("progress").value = fraction;
    },
  });
  window.pywasiRuntime = runtime; // for tests and the console
  $("status").textContent = `ready in ${((performance.now() - started) / 1000).toFixed(1)} s, ` + blockingMode(runtime.info);
  await examples;
  $("run").disabled = false;

  $("run").onclick = async () => {
    output.replaceChildren();
    $("exit").textContent = "";
    $("files").replaceChildren();
    const interactive = $("interactive").checked;
    $("input-line").hidden = !interactive;
    $("run").disabled = true;
    const args = $("args").value.trim() ? $("args").value.trim().split(/\s+/) : [];
    const result = await runtime.run(`examples/${$("example").value}`, {
      args,
      argv0: $("example").value,
      stdin: $("stdin").value,
      interactive,
      onStdout: (data) => show("stdout", decoder.decode(data, { stream: true })),
      onStderr: (data) => show("stderr", decoder.decode(data, { stream: true })),
    });
    $("run").disabled = false;
    $("input-line").hidden = true;
    $("exit").textContent = result.error
      ? `${result.error.kind}: ${result.error.message} (exit ${result.exitCode})`
      : `exit ${result.exitCode} in ${result.durationMs.toFixed(1)} ms`;
    $("files").replaceChildren(...Object.entries(result.files).map(([path, data]) => {
      const item = document.createElement("li");
      item.textContent = `${path} (${data.length} bytes)`;
      return item;
    }));
  };
  $("kill").onclick = () => runtime.kill("stopped by the user");
  $("input-line").onsubmit = (event) => {
    event.preventDefault();
    runtime.write($("input-text").value + "\n");
    show("stdin", $("input-text").value + "\n");
    $("input-text").value = "";
  };
  $("eof").onclick = () => runtime.closeStdin();
}

main().catch((error) => {
  $("status").textContent = `failed: ${error.message}`;
  console.error(error);
});

/** How the guest can wait for input, said plainly (JSPI, Atomics on an isolated page, or not at all). */
function blockingMode(info) {
  if (info.jspi) return info.crossOriginIsolated ? "JSPI, cross-origin isolated" : "JSPI-only mode (not cross-origin isolated)";
  if (info.crossOriginIsolated) return "no JSPI: input waits through SharedArrayBuffer";
  return "no JSPI and not cross-origin isolated: input is not interactive, stdin is given up front";
}
