// Boots Pyodide in the test page, installs the pywasi_web wheel, writes the test components and
// `sources` ({path under /tmp: text}: component_probe.py and what it imports), and
// runs component_probe.py's function `part` with JsWaiter under runPythonAsync (so JSPI can block).
// Returns the probe's report as JSON text. Called by playwright/test_components_browser.py.
async ([wheel, components, sources, part]) => {
  const { loadPyodide } = await import("/vendor/pyodide/pyodide.mjs");
  const pyodide = await loadPyodide({ indexURL: "/vendor/pyodide/" });
  const bytes = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  pyodide.FS.writeFile("/tmp/pywasi_web.whl", bytes(wheel));
  pyodide.FS.mkdirTree("/tmp/components");
  const paths = {};
  for (const [name, data] of Object.entries(components)) {
    paths[name] = `/tmp/components/${name}.wasm`;
    pyodide.FS.writeFile(paths[name], bytes(data));
  }
  for (const [path, text] of Object.entries(sources)) {
    pyodide.FS.mkdirTree(`/tmp/${path.split("/").slice(0, -1).join("/")}`);
    pyodide.FS.writeFile(`/tmp/${path}`, text);
  }
  pyodide.globals.set("paths", pyodide.toPy(paths));
  pyodide.globals.set("part", part);
  return await pyodide.runPythonAsync(`
import json, site, sys, zipfile
with zipfile.ZipFile("/tmp/pywasi_web.whl") as wheel:
    wheel.extractall(site.getsitepackages()[0])
sys.path.insert(0, "/tmp")
import component_probe
from pywasi_web.engines.js import JsWaiter
json.dumps(getattr(component_probe, part)(dict(paths), JsWaiter))
`);
}
