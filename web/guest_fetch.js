// guest_fetch.js: a guest given by URL (rt.run("x.wasm")), fetched in the worker and compiled with
// WebAssembly.compileStreaming, the one way compiled code outlives a page load. Chromium keeps the
// machine code V8 made for a module streamed from a Response next to that Response in the HTTP
// cache, and takes it back (trace event v8.wasm.moduleCacheHit) when the same stored copy is
// streamed again; a copy revalidated with a 304, or one from the Cache API (none in a worker), has
// none (see versioned_fetch.js). When it is kept (Blink's v8_wasm_response_extensions.cc, V8's
// flag-definitions.h):
// - the module is at least 128 KiB and served as application/wasm;
// - its code has been optimised: under dynamic tiering only functions that ran hot get TurboFan
//   code, and V8 asks for the module to be cached once 1 000 bytes of it exist
//   (--wasm-caching-threshold), 2 s after the last tier-up (--wasm-caching-timeout-ms), or at once
//   past 1 MB (--wasm-caching-hard-threshold). A guest that never runs hot code is never kept;
// - the next load takes the stored copy as it is: an immutable or still fresh response, such as a
//   URL naming its content, `x.wasm?v=HASH`, which `pywasi-web serve` answers as immutable (the
//   playground asks for its examples so, with the SHA-256 examples/index.json gives).
// The runtime's own cache of compiled modules by content (engines/js.py) comes first: a guest it
// holds is not compiled again at all, and what the worker compiles here is handed to it, so
// Python gets the guest's bytes once and compiles nothing.

import { sha256Hex } from "./interpreter.js";

/** A guest that cannot be fetched: its message is the run's error (kind "module"). */
export class GuestFetchError extends Error {}

/** The guest at `url` (`name`: as the page gave it, for messages) as {bytes, digest?, module?}:
 * `module` compiled by compileStreaming when `wanted(digest)` (the hex SHA-256 of its bytes, asked
 * once they are in; it may answer with a promise) says the runtime needs it. Without crypto.subtle
 * (outside a secure context) or when streaming fails (not application/wasm, a component, an
 * invalid module), only the bytes: they are compiled (or refused, with the engine's message) as
 * bytes given by the page are. */
export async function fetchGuest(url, name, wanted) {
  let response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new GuestFetchError(`cannot fetch ${name}: ${error.message}`);
  }
  if (!response.ok) throw new GuestFetchError(`cannot fetch ${name}: ${response.status} ${response.statusText}`.trim());
  const bytes = new Uint8Array(await response.clone().arrayBuffer());
  const digest = globalThis.crypto?.subtle ? await sha256Hex(bytes) : null;
  if (digest === null || !(await wanted(digest))) {
    response.body?.cancel();
    return { bytes };
  }
  try {
    return { bytes, digest, module: await WebAssembly.compileStreaming(response) };
  } catch {
    return { bytes };
  }
}
