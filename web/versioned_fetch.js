// versioned_fetch.js: Pyodide's WebAssembly fetched from a URL that names its version, which a
// browser may keep without asking again. V8 keeps the machine code it compiled for a module
// streamed from a Response (instantiateStreaming) next to that Response in the HTTP cache and takes
// it back when the same entry is streamed again, instead of compiling 9.6 MB. Measured in Chromium
// 156: a copy revalidated with a 304 loses that code, and so does a Response from the Cache API
// (no code cache is attached to it in a worker); only a stored copy used as it is keeps it. So
// pyodide.asm.wasm is asked for as `pyodide.asm.wasm?v=VERSION`, which `pywasi-web serve` answers
// as immutable (pywasi_web/cli/serve.py; a static host's own caching rules apply otherwise), and a
// new Pyodide version is a new URL.
//
// It is also compiled (compileStreaming) as soon as the boot starts, not when Pyodide instantiates
// it: Pyodide instantiates only once it has the memory snapshot (whose size is the memory's), so
// taking the kept code back (~50-90 ms, measured under load) came after the snapshot was read,
// where now the two overlap.

const compiled = new Map(); // versioned URL -> promise of its WebAssembly.Module: once a worker

/** Run `load()` (loadPyodide) with `url` (pyodide.asm.wasm) fetched as `url?v=version` and compiled
 * at once, Pyodide's instantiateStreaming of it made an instantiation of that module; `compiledMark()`
 * is called when it is compiled. Pyodide's loader takes no Response, URL or module for it, so its
 * fetch and instantiateStreaming are the one way in; other calls pass through. */
export async function withVersionedFetch(url, version, load, compiledMark) {
  const { fetch: network } = globalThis;
  const { instantiateStreaming } = WebAssembly;
  const versioned = `${url}?v=${encodeURIComponent(version)}`;
  if (!compiled.has(versioned)) {
    const module = WebAssembly.compileStreaming(network(versioned));
    module.then(compiledMark, () => {}); // a failure is Pyodide's, where it instantiates
    compiled.set(versioned, module);
  }
  // Pyodide hands what its fetch of `url` answers to instantiateStreaming and to nothing else, so
  // that fetch is not made: it answers a marker, which instantiateStreaming knows
  const marker = Promise.resolve(new Response(null));
  globalThis.fetch = (input, init) => (String(input) === url ? marker : network(input, init));
  WebAssembly.instantiateStreaming = async (source, imports) => {
    if (source !== marker) return instantiateStreaming(source, imports);
    const module = await compiled.get(versioned);
    return { module, instance: await WebAssembly.instantiate(module, imports) };
  };
  try {
    return await load();
  } finally {
    globalThis.fetch = network;
    WebAssembly.instantiateStreaming = instantiateStreaming;
  }
}
