// es_module.js: an ES module's exports from its source text, for Python in Pyodide, whose run_js
// evaluates scripts only (pywasi_web/browser/notebook_network.py loads net_transports.js with it).

(source) => {
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  return import(url).finally(() => URL.revokeObjectURL(url));
}
