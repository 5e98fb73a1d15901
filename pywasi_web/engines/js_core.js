// Generic core linking for the component model on the page's WebAssembly (engines/js_core.py):
// host functions of any core signature, instances linked to each other's exports, calls that pass
// i64 as BigInt, and memory copies. Evaluated once; the value of this file is the helper object.
({
  // A Python function as a core function. i64 results become BigInt; a blocking one is entered
  // with stack switching (callPromising) under WebAssembly.Suspending when JSPI is there.
  hostFunction(pyfn, results, blocking, jspi) {
    const big = results.length === 1 && results[0] === "i64";
    const result = big ? (value) => BigInt.asIntN(64, BigInt(value)) : (value) => value;
    if (blocking && jspi) {
      return new WebAssembly.Suspending(async (...args) => result(await pyfn.callPromising(...args)));
    }
    return (...args) => result(pyfn(...args));
  },
  instantiate(module, entries) {
    const imports = {};
    for (const [namespace, name, extern] of entries) (imports[namespace] ??= {})[name] = extern;
    return new WebAssembly.Instance(module, imports);
  },
  exportOf(instance, name) {
    return Object.prototype.hasOwnProperty.call(instance.exports, name) ? instance.exports[name] : undefined;
  },
  // Arguments in their core types (i64 as BigInt); results as an array.
  args(params, values) {
    return values.map((value, index) => (params[index] === "i64" ? BigInt.asIntN(64, BigInt(value)) : value));
  },
  results(value) {
    if (value === undefined) return [];
    return Array.isArray(value) ? value : [value];
  },
  // guest[ptr, ptr + n) as a new Uint8Array, or null when outside memory.
  read(memory, ptr, n) {
    if (ptr < 0 || n < 0 || ptr + n > memory.buffer.byteLength) return null;
    return new Uint8Array(memory.buffer, ptr, n).slice();
  },
  // bytes -> guest[ptr, ...); false when outside memory.
  write(memory, ptr, bytes) {
    if (ptr < 0 || ptr + bytes.length > memory.buffer.byteLength) return false;
    new Uint8Array(memory.buffer).set(bytes, ptr);
    return true;
  },
  size(memory) { return memory.buffer.byteLength; },
})
