// Generic core linking for the component model on the page's WebAssembly (engines/js_core.py):
// host functions of any core signature, instances linked to each other's exports, calls that pass
// i64 as BigInt, and memory copies. Evaluated once; the value of this file is the helper object.
({
  // A Python function as a core function. i64 results become BigInt. A blocking one sits under
  // WebAssembly.Suspending when JSPI is there and is first tried as a plain call (~1 us); only
  // when it reaches a wait does Python answer `mustSuspend` (before anything the guest could
  // observe), and it is re-run with stack switching (callPromising, hundreds of us), as
  // js_bridge.js's `suspending` does for Preview 1.
  // `fast` (optional, a function of no results): answers a call itself (true) or declines
  // (false), before Python is called (gatheredWrite).
  mustSuspend: Object.freeze({ mustSuspend: true }),
  hostFunction(pyfn, results, blocking, jspi, fast = null) {
    const big = results.length === 1 && results[0] === "i64";
    const result = big ? (value) => BigInt.asIntN(64, BigInt(value)) : (value) => value;
    if (blocking && jspi) {
      const mustSuspend = this.mustSuspend;
      return new WebAssembly.Suspending((...args) => {
        if (fast !== null && fast(...args)) return undefined;
        const now = pyfn(...args);
        if (now !== mustSuspend) return result(now);
        return pyfn.callPromising(...args).then((value) => {
          if (value === mustSuspend) throw new Error("a blocking import could not wait, even with stack switching");
          return result(value);
        });
      });
    }
    if (fast !== null) return (...args) => (fast(...args) ? undefined : result(pyfn(...args)));
    return (...args) => result(pyfn(...args));
  },
  // A write(handle, ptr, len, resultPtr) to a gathered output stream answered here by the rule
  // Python made (engines/gathered_writes.py): `leases` maps the handles it may answer to their
  // gatherer keys; the contents (at most maxLength bytes) go to `gatherer` under that key, and
  // the u8 0 (ok) to the result pointer (aligned to resultAlign, resultSize bytes in memory).
  // Anything else declines, before any effect, and Python answers.
  leases() { return new Map(); },
  gatheredWrite(memory, leases, gatherer, maxLength, resultAlign, resultSize) {
    let guest = new Uint8Array(memory.buffer);
    return (handle, ptr, len, resultPtr) => {
      const key = leases.get(handle);
      if (key === undefined) return false;
      [ptr, len, resultPtr] = [ptr >>> 0, len >>> 0, resultPtr >>> 0];  // i32 arrive signed
      if (guest.byteLength === 0) guest = new Uint8Array(memory.buffer);  // the memory grew
      const size = guest.byteLength;
      if (len > maxLength || ptr + len > size || resultPtr % resultAlign !== 0 || resultPtr + resultSize > size) {
        return false;
      }
      gatherer.write(key, guest.slice(ptr, ptr + len));
      guest[resultPtr] = 0;
      return true;
    };
  },
  instantiate(module, entries) {
    const imports = {};
    for (const [namespace, name, extern] of entries) (imports[namespace] ??= {})[name] = extern;
    return new WebAssembly.Instance(module, imports);
  },
  exportOf(instance, name) {
    return Object.prototype.hasOwnProperty.call(instance.exports, name) ? instance.exports[name] : undefined;
  },
  // Arguments in their core types (i64 as BigInt).
  args(params, values) {
    return values.map((value, index) => (params[index] === "i64" ? BigInt.asIntN(64, BigInt(value)) : value));
  },
  // Copies between guest memories and one bytearray in Pyodide's heap (`scratch`): one JS call
  // each and no new typed array per call (a new view costs ~16 us, a JS call ~0.7 us). A view is
  // made again when it no longer covers the range asked for (its memory grew: a detached view
  // reads as length 0), and so is scratch's when Pyodide's heap grew. The caller checks that
  // ptr and n are not negative; `false` or null means the range is outside memory.
  copier(scratchProxy) {
    const views = new WeakMap();
    let buffer = scratchProxy.getBuffer("u8"), scratch = buffer.data;
    const guest = (memory, end) => {
      let view = views.get(memory);
      if (view === undefined || view.byteLength < end) views.set(memory, (view = new Uint8Array(memory.buffer)));
      return end <= view.byteLength ? view : null;
    };
    const fresh = () => {
      if (scratch.byteLength === 0) {
        buffer.release();
        buffer = scratchProxy.getBuffer("u8");
        scratch = buffer.data;
      }
      return scratch;
    };
    return {
      // guest[ptr, ptr + n) -> scratch[0, n)
      get(memory, ptr, n) {
        const view = guest(memory, ptr + n);
        if (view === null) return false;
        fresh().set(view.subarray(ptr, ptr + n));
        return true;
      },
      // scratch[0, n) -> guest[ptr, ptr + n)
      put(memory, ptr, n) {
        const view = guest(memory, ptr + n);
        if (view === null) return false;
        view.set(fresh().subarray(0, n), ptr);
        return true;
      },
      // guest[ptr, ptr + n) as a view, for copies larger than scratch (to_bytes, assign).
      range(memory, ptr, n) {
        const view = guest(memory, ptr + n);
        return view === null ? null : view.subarray(ptr, ptr + n);
      },
      size(memory) { return memory.buffer.byteLength; },
    };
  },
})
