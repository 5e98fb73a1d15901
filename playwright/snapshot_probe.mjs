// Restores a Pyodide memory snapshot in Node, runs Python source in it before anything else, and
// prints the value of its last expression (a str): what a warm boot finds in the heap
// (test_prepared_snapshot.py).
//
//   node playwright/snapshot_probe.mjs PYODIDE_DIR SNAPSHOT SOURCE
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, snapshotPath, source] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(join(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: pyodideDir + "/", _loadSnapshot: readFileSync(snapshotPath) });
console.log(pyodide.runPython(source));
