// The baseline: browser_wasi_shim 0.4.2 in a module worker, measured the way web/worker.js is:
// only the `_start` call is timed.
//
// Message in:  {wasm: ArrayBuffer, args}   Message out: {exitCode, startMs, stdout: Uint8Array}
import { WASI, File, OpenFile, PreopenDirectory, ConsoleStdout } from "/vendor/browser_wasi_shim/index.js";

self.onmessage = async ({ data: { wasm, args } }) => {
  const chunks = [];
  const fds = [
    new OpenFile(new File([])),
    new ConsoleStdout((bytes) => chunks.push(bytes.slice())),
    new ConsoleStdout(() => {}),
    new PreopenDirectory(".", new Map()),
  ];
  const wasi = new WASI(["bench.wasm", ...args], [], fds);
  const module = await WebAssembly.compile(wasm);
  const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi.wasiImport });
  const started = performance.now();
  const exitCode = wasi.start(instance);
  const startMs = performance.now() - started;
  const stdout = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    stdout.set(chunk, offset);
    offset += chunk.length;
  }
  postMessage({ exitCode, startMs, stdout }, [stdout.buffer]);
};
