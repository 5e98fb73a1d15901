// versioned_fetch.js: Pyodide's WebAssembly fetched from a URL that names its version, which a
// browser may keep without asking again. V8 keeps the machine code it compiled for a module
// streamed from a Response (instantiateStreaming) next to that Response in the HTTP cache and takes
// it back when the same entry is streamed again, instead of compiling 9.6 MB. Measured in Chromium
// 156: a copy revalidated with a 304 loses that code, and so does a Response from the Cache API
// (no code cache is attached to it in a worker); only a stored copy used as it is keeps it. So
// pyodide.asm.wasm is asked for as `pyodide.asm.wasm?v=VERSION`, which `pywasi-web serve` answers
// as immutable (pywasi_web/cli/serve.py; a static host's own caching rules apply otherwise), and a
// new Pyodide version is a new URL.

/** Run `load()` (loadPyodide) with its fetch of `url` (pyodide.asm.wasm) made to `url?v=version`:
 * Pyodide's loader takes no Response or URL for it, so its fetch is the one way in. Other fetches
 * pass through. */
export async function withVersionedFetch(url, version, load) {
  const network = globalThis.fetch;
  const versioned = `${url}?v=${encodeURIComponent(version)}`;
  globalThis.fetch = (input, init) => network(String(input) === url ? versioned : input, init);
  try {
    return await load();
  } finally {
    globalThis.fetch = network;
  }
}
