// The Python side of a boot that a memory snapshot captures, shared by the worker (which snapshots
// on its first boot) and web/prepare_snapshot.mjs (which makes the same snapshot ahead of the first
// visit, in Node): both must leave the interpreter in the same state under the same name.

/** Put the wheels where Python imports from, as they are (a pure-Python wheel is a zip that
 * zipimport reads), and the glue module in the home directory, on every boot: a snapshot holds
 * Python's heap, not the file system. A warm boot's sys.path (from the snapshot: preload puts the
 * wheels on it) names them already, and zipimport's index of each, also in the snapshot, still fits
 * the file: the snapshot's name covers our wheel, and the others are pinned. Unpacking them instead
 * took ~90 ms of a warm boot. Not loadPackage: it leaves JS references behind that a memory
 * snapshot cannot hold. */
export function install(pyodide, wheels, source) {
  wheels.forEach((bytes, index) => pyodide.FS.writeFile(wheelPath(index), bytes));
  pyodide.FS.writeFile("/home/pyodide/pywasi_worker.py", source);
}

/** Where install() puts the wheel `index` (0: pywasi_web's). */
export const wheelPath = (index) => `/tmp/wheel-${index}.whl`;

// What a run needs is imported before the snapshot, so a warm run imports nothing. Not the whole
// package (the CLI and notebook modules are not used here): Pyodide rejects a snapshot whose heap grew
// past its initial memory ("offset is out of bounds" at load), which importing everything did.
const PRELOAD = (wheels) => `
import importlib, pkgutil, sys
sys.path[0:0] = ${JSON.stringify(Array.from({ length: wheels }, (_, index) => wheelPath(index)))}
import pywasi_worker
for name in ("abi", "api", "kernel", "vfs", "preview1", "net", "engines"):
    package = importlib.import_module(f"pywasi_web.{name}")
    for found in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        try:
            importlib.import_module(found.name)
        except (ImportError, OSError):
            pass  # CPython-only: wasmtime, host sockets
from pywasi_web.engines.js import bridge_source, generate_adapters
bridge_source()  # the engine's JS, read from the wheel's zip now rather than on the first run
generate_adapters()  # the preview1 imports' adapters, generated now rather than on the first run
`;

/** Put the `wheels` installed (their number) on sys.path and import what a run needs, before the
 * snapshot is taken. */
export function preload(pyodide, wheels) {
  pyodide.runPython(PRELOAD(wheels));
}

/** The snapshot's name: Pyodide's version, whether this runtime has JSPI, and a hash of our wheel
 * and glue, so a snapshot of other code, of another Pyodide or made where JSPI was missing is never
 * found under it. Pyodide records JSPI's presence in the heap at start (its test, copied here):
 * restored where it differs, the first run fails (a Node without JSPI) or cannot suspend. */
export async function snapshotName(version, wheel, source) {
  const jspi = "Suspending" in WebAssembly || "Suspender" in WebAssembly ? "jspi" : "nojspi";
  const glue = new TextEncoder().encode(source);
  const both = new Uint8Array(wheel.length + glue.length);
  both.set(wheel);
  both.set(glue, wheel.length);
  return `pyodide-${version}-${jspi}-${await sha256Hex(both)}`;
}

/** The SHA-256 of `bytes` in lowercase hex (crypto.subtle: a secure context, or Node). */
export async function sha256Hex(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
