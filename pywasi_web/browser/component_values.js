// component_values.js: the JS side of a component's values in the worker (pywasi_web/api/js_values.py
// makes them plain data; pywasi_web/browser/component_values.py runs this with Pyodide's run_js).
// Pyodide turns every BigInt it sees into a Python int, and a small Python int into a number, so
// 64-bit integers travel as {$bigint: "digits"} markers and become BigInts here, on the JS side.

// A resource given in `imports` is a class (pywasi_web/api/js_imports.py); its instances cross as
// themselves, so only plain objects are revived.

(() => {
  /** A value with its {$bigint} markers made BigInts (typed arrays and instances are left as they are). */
  const revive = (value) => {
    if (Array.isArray(value)) return value.map(revive);
    if (value === null || typeof value !== "object" || !plain(value)) return value;
    if (typeof value.$bigint === "string") return BigInt(value.$bigint);
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, revive(item)]));
  };
  const plain = (value) => [Object.prototype, null].includes(Object.getPrototypeOf(value));
  const dispose = Symbol.dispose ?? Symbol.for("dispose"); // as jco's resource-drop of a host resource
  return {
    revive,
    /** Call a JS function given in `imports` with a component's arguments (an array of values). */
    apply: (fn, args) => fn(...args),
    construct: (cls, args) => new cls(...args),
    method: (target, name, args) => target[name](...args),
    hasMethod: (cls, name, isStatic) => typeof (isStatic ? cls : cls?.prototype)?.[name] === "function",
    isInstance: (value, cls) => typeof cls?.prototype === "object" && value instanceof cls, // not an arrow
    dispose: (instance) => {
      if (typeof instance?.[dispose] === "function") instance[dispose]();
    },
  };
})();
