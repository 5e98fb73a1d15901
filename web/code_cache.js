// code_cache.js: getting V8 to keep its machine code for Pyodide's WebAssembly across page loads,
// once per Pyodide version and browser build (pywasi_web/browser/code_cache.py says why, and what
// the work is). That it was done is an empty file in OPFS, pywasi-code-cache/<SHA-256 of both>:
// a new Pyodide, or a browser update (whose V8 drops the code its predecessor kept), does it again.

import { sha256Hex } from "./interpreter.js";

const DIRECTORY = "pywasi-code-cache";

/** Unless done already for Pyodide `version` in this browser: make the work (`makeWarmUp()`, a
 * PyProxy of code_cache.py's CodeCacheWarmUp) and run its steps, each one a turn of the worker's
 * queue through `enqueue` (a run that comes meanwhile waits for one step at most), then mark it
 * done. Resolves to whether it ran. */
export async function warmOnce(version, makeWarmUp, enqueue) {
  const directory = await (await navigator.storage.getDirectory()).getDirectoryHandle(DIRECTORY, { create: true });
  const name = await sha256Hex(new TextEncoder().encode(`${version} ${navigator.userAgent}`));
  if (await directory.getFileHandle(name).then(() => true, () => false)) return false;
  const warmUp = makeWarmUp();
  try {
    while (await enqueue(() => warmUp.step())) await new Promise((resolve) => setTimeout(resolve, 0));
  } finally {
    warmUp.destroy();
  }
  await directory.getFileHandle(name, { create: true });
  return true;
}
