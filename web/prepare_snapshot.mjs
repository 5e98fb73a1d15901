// Makes, in Node, the Pyodide memory snapshot a worker takes on its first boot (web/interpreter.js),
// so that a first visit boots from it too (served under /snapshots/, named in /wheels/index.json).
//
//   node web/prepare_snapshot.mjs PYODIDE_DIR OUT_DIR GLUE_PY WHEEL...   (pywasi_web's wheel first)
//
// Writes OUT_DIR/<name> (interpreter.js's snapshotName) and prints the name.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { install, preload, snapshotName } from "./interpreter.js";

const [pyodideDir, outDir, gluePath, ...wheelPaths] = process.argv.slice(2);
const { loadPyodide, version } = await import(pathToFileURL(join(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: pyodideDir + "/", _makeSnapshot: true });
const wheels = wheelPaths.map((path) => new Uint8Array(readFileSync(path)));
const source = readFileSync(gluePath, "utf8");
install(pyodide, wheels, source);
preload(pyodide, wheels.length);
const name = await snapshotName(version, wheels[0], source);
writeFileSync(join(outDir, name), pyodide.makeMemorySnapshot());
console.log(name);
