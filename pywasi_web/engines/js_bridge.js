// js_bridge.js: the JS side of the browser engine (pywasi_web/engines/js.py), evaluated once by it
// with Pyodide's run_js; it ships in the wheel next to js.py (playwright/test_js_bridge.py tests it
// in Chromium on its own). An object of small helpers. `bridge` is per instance: every import is
// entered through it, it keeps the typed views over guest memory and copies between guest memory and two
// buffers in Pyodide's heap: `scratch` (bytes) and `log` (u32 stores deferred by JsMemory, applied
// by JS when the import returns, so a result pointer costs no extra Python -> JS call).
// log[0] = pending stores, log[1] = guest memory size in 64 KiB pages while an import runs (else
// 0), then (address, value) pairs.

(() => {
// An export called from Python: its i64 arguments as BigInts (a small Python int arrives as a
// Number, which an i64 parameter refuses).
const bigintArguments = (fn, int64) => {
  const big = (value, index) => (int64[index] ? BigInt.asIntN(64, BigInt(value)) : value);
  return (...args) => fn(...args.map(big));
};
// A host function's results for WebAssembly: an i64 as a BigInt, an i32 that Python gave as a
// BigInt (beyond 2**53) wrapped as wasmtime wraps it, several results as an array.
const typedResults = (fn, kinds) => {
  const fix = (value, kind) => {
    if (kind === "i64") return BigInt.asIntN(64, BigInt(value ?? 0));
    if (kind === "i32" && typeof value === "bigint") return Number(BigInt.asIntN(32, value));
    return value;
  };
  if (kinds.length === 1) return (...args) => fix(fn(...args), kinds[0]);
  return (...args) => Array.from(fn(...args), (value, index) => fix(value, kinds[index]));
};
return {
  // to_js's dict_converter for a Python dict that JS reads as an object (the clock rule)
  fromEntries: Object.fromEntries,
  bridge(logProxy, mustSuspend) {
    let memory = null, guest = null, view = null;
    let scratchProxy = null, scratchBuffer = null, scratch = null;
    let logBuffer = logProxy.getBuffer(), log = logBuffer.data;
    let instance = null;
    const proxies = [];  // the import adapters `link` was given
    const freshLog = () => {
      if (log.byteLength === 0) {
        logBuffer.release();
        logBuffer = logProxy.getBuffer();
        log = logBuffer.data;
      }
    };
    const applyLog = () => {
      for (let i = 0, n = log[0]; i < n; i++) view.setUint32(log[2 + 2 * i], log[3 + 2 * i], true);
      log[0] = 0;
    };
    // Views go to length 0 when their memory grows (guest memory, or Pyodide's heap for the buffers).
    const fresh = () => {
      if (guest.byteLength === 0) {
        guest = new Uint8Array(memory.buffer);
        view = new DataView(memory.buffer);
      }
      if (scratch.byteLength === 0) {
        scratchBuffer.release();
        scratchBuffer = scratchProxy.getBuffer("u8");
        scratch = scratchBuffer.data;
      }
      freshLog();
      if (log[0] !== 0) applyLog();
    };
    // Leased descriptors (kernel/hot.py): fd -> {buffer, data (the file's bytes), position,
    // writtenAt} for a file, {stream} for an output stream whose writes go to `gatherer` (the one
    // that Python's writes to it reach too, so nothing needs handing back). Handed back to Python
    // before any import enters it, and at the end of a call.
    const leases = new Map();
    let settleFile = null, gatherer = null;
    const settle = () => {
      const taken = [...leases];
      leases.clear();
      for (const [fd, lease] of taken) {
        if (lease.stream !== undefined) continue;
        lease.buffer.release();
        settleFile(fd, lease.position, lease.writtenAt);
      }
    };
    // What Python published about descriptors (preview1/fast_paths.py Described): `described`
    // below; taken after each synchronous Python answer, the open's forgotten before Python runs.
    let opened = null;
    const enter = () => {
      if (leases.size !== 0) settle();
      if (opened !== null) opened.forget();
      if (memory === null) return;
      fresh();
      log[1] = guest.byteLength / 65536;
    };
    const freshGuest = () => {
      if (guest.byteLength === 0) {
        guest = new Uint8Array(memory.buffer);
        view = new DataView(memory.buffer);
      }
    };
    const leave = () => {
      if (memory === null) return;
      freshLog();
      if (log[0] !== 0) applyLog();
      log[1] = 0;
    };
    const abandon = () => {
      if (memory === null) return;
      freshLog();
      log[0] = 0;
      log[1] = 0;
    };
    // An import called synchronously. `fast` (optional) answers the call in JS (a number) or
    // declines (undefined); `fast.after` hears the result of each call Python answered. A
    // mustSuspend answer leaves the call entered: the suspending wrapper re-runs it.
    // `keeps`: Python's answer changes nothing a reusable open depends on (KEEP_REUSABLE_OPENS).
    const synchronous = (pyfn, fast, keeps) => (...args) => {
      if (fast !== undefined) {
        const answer = fast(...args);
        if (answer !== undefined) return answer;
      }
      enter();
      let result;
      try {
        result = pyfn(...args);
      } catch (error) {
        abandon();
        if (opened !== null) opened.invalidate();
        throw error;
      }
      if (result === mustSuspend) return result;
      leave();
      if (opened !== null) {
        opened.take();
        if (!keeps) opened.invalidate();
      }
      if (fast !== undefined && fast.after !== undefined) fast.after(args[0], result, args);
      return result;
    };
    return {
      attach(guestMemory, proxy) {
        memory = guestMemory;
        guest = new Uint8Array(memory.buffer);
        view = new DataView(memory.buffer);
        scratchProxy = proxy;
        scratchBuffer = proxy.getBuffer("u8");
        scratch = scratchBuffer.data;
      },
      wrap(pyfn, fast, keeps) {
        return synchronous(pyfn, fast, keeps);
      },
      // a JS function the embedder gave: it may change anything (through Python too)
      opaque(fn) {
        return (...args) => {
          const result = fn(...args);
          if (opened !== null) opened.invalidate();
          return result;
        };
      },
      // Try synchronously; an import that must wait returns mustSuspend (its adapter's answer to
      // MustSuspend, raised by the wait that follows the kernel's WouldBlock, which comes before
      // any side effect; a returned value costs far less than an exception crossing into JS) and
      // is re-run with callPromising (stack switching).
      suspending(pyfn, fast, keeps) {
        const tryNow = synchronous(pyfn, fast, keeps);
        return new WebAssembly.Suspending((...args) => {
          const result = tryNow(...args);
          if (result !== mustSuspend) return result;
          abandon();
          enter();
          return pyfn.callPromising(...args).then(
            (result) => {
              if (result === mustSuspend) {
                abandon();
                throw new Error("a blocking import could not wait, even with stack switching");
              }
              leave();
              if (opened !== null) opened.drop();
              return result;
            },
            (error) => { abandon(); throw error; },
          );
        });
      },
      // clock_time_get answered in JS by the rule preview1 gives (preview1/fast_paths.py
      // ClockRule): `rule.sources[id]` names the JS equivalent of the kernel's reader for each id
      // answered (0: Date.now, 1: performance.now; emscripten's own clock_time_get, so the very
      // value Python would read), `rule.idArg` and `rule.resultArg` where the id and the result
      // pointer are; the reading is stored there as a u64. Any other id or pointer goes to Python.
      clock(pyfn, rule, keeps) {
        const slow = this.wrap(pyfn, undefined, keeps);
        const { sources, idArg, resultArg } = rule;
        return (...args) => {
          const source = sources[args[idArg]], ptr = args[resultArg];
          if (source === undefined || source === null || memory === null) return slow(...args);
          freshGuest();
          if (ptr < 0 || ptr + 8 > guest.byteLength) return slow(...args);
          const ms = source === 0 ? Date.now() : performance.now();
          view.setBigUint64(ptr, BigInt(Math.round(ms * 1e3 * 1e3)), true);
          return 0;
        };
      },
      // fd_write and fd_seek on a leased descriptor, answered here when they only overwrite
      // existing bytes or move the position, with valid pointers; anything else declines (Python
      // answers, settling the leases first). After `needed` successful Python answers in a row
      // on one descriptor, Python is asked for a lease on it. A lease given up because the file
      // grows doubles `needed` (up to MAX_NEEDED), so a guest that appends does not pay for a
      // lease and a settle every few writes; a write answered here resets it.
      // A leased output stream's writes go to the instance's gatherer (`gatherer` below).
      hot(leaseFn, settleFn, output) {
        const HOT_AFTER = 4, MAX_NEEDED = 4096;
        let streakFd = -1, streak = 0, needed = HOT_AFTER;
        settleFile = settleFn;
        gatherer = output;
        const after = (fd, result) => {
          if (result !== 0) return;
          if (fd !== streakFd) [streakFd, streak] = [fd, 0];
          if (++streak < needed) return;
          streak = 0;
          const granted = leaseFn(fd);
          if (granted === undefined || granted === null) return;
          if (typeof granted === "number") {  // an output stream, by its gatherer key
            leases.set(fd, { stream: granted });
            return;
          }
          const [proxy, position] = granted;
          const buffer = proxy.getBuffer("u8");
          proxy.destroy();
          leases.set(fd, { buffer, data: buffer.data, position, writtenAt: undefined });
        };
        const leaseOf = (fd) => {
          const lease = leases.get(fd);
          // a detached view: Pyodide's heap grew since the lease (Python takes over and re-leases)
          if (lease === undefined || memory === null) return undefined;
          if (lease.stream === undefined && lease.data.buffer.byteLength === 0) return undefined;
          freshGuest();
          return lease;
        };
        const write = (fd, iovs, count, resultPtr) => {
          const lease = leaseOf(fd);
          if (lease === undefined || iovs < 0 || count < 0 || resultPtr < 0) return undefined;
          const size = guest.byteLength, end = iovs + count * 8;
          if (end > size || resultPtr + 4 > size) return undefined;
          let total = 0;
          for (let at = iovs; at < end; at += 8) {
            const len = view.getUint32(at + 4, true);
            if (view.getUint32(at, true) + len > size) return undefined;
            total += len;
          }
          if (lease.stream !== undefined) return gather(lease.stream, iovs, end, total, resultPtr);
          if (lease.position + total > lease.data.length) {  // growth: Python's
            needed = Math.min(needed * 2, MAX_NEEDED);
            return undefined;
          }
          for (let at = iovs; at < end; at += 8) {
            const buf = view.getUint32(at, true), len = view.getUint32(at + 4, true);
            lease.data.set(guest.subarray(buf, buf + len), lease.position);
            lease.position += len;
          }
          lease.writtenAt = Date.now();
          if (opened !== null) opened.invalidate();  // a file changed: reusable opens are stale
          view.setUint32(resultPtr, total, true);
          needed = HOT_AFTER;
          return 0;
        };
        const gather = (stream, iovs, end, total, resultPtr) => {
          let bytes = null;
          for (let at = iovs, filled = 0; at < end; at += 8) {
            const buf = view.getUint32(at, true), len = view.getUint32(at + 4, true);
            if (len === 0) continue;
            if (bytes === null && len === total) bytes = guest.slice(buf, buf + len);
            else {
              bytes ??= new Uint8Array(total);
              bytes.set(guest.subarray(buf, buf + len), filled);
              filled += len;
            }
          }
          if (bytes !== null) gatherer.write(stream, bytes);
          view.setUint32(resultPtr, total, true);
          needed = HOT_AFTER;
          return 0;
        };
        const seek = (fd, offset, whence, resultPtr) => {
          const lease = leaseOf(fd);
          if (lease !== undefined && lease.stream !== undefined) return undefined;  // ESPIPE: Python's
          if (lease === undefined || whence < 0 || whence > 2 || resultPtr < 0) return undefined;
          if (resultPtr + 8 > guest.byteLength) return undefined;
          const base = whence === 0 ? 0 : whence === 1 ? lease.position : lease.data.length;
          const target = BigInt(base) + BigInt.asIntN(64, offset);
          if (target < 0n || target > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
          lease.position = Number(target);
          view.setBigUint64(resultPtr, target, true);
          return 0;
        };
        write.after = after;
        seek.after = after;
        return { write, seek };
      },
      // fd_fdstat_get of any descriptor, and fd_filestat_get, fd_read and fd_close of the
      // descriptor path_open has just returned, answered from what Python published
      // (preview1/fast_paths.py Described); added to the functions of `hot`. `recordProxy`: a
      // buffer in Pyodide's heap that Python fills as `layout` (fast_paths.py Record) says: i32
      // slots (the descriptor published last, its flags, its file's length, the descriptors
      // whose fdstat changed), then its fdstat record, filestat record and file's bytes. `forget`
      // (from `enter`) hands a moved position back through `settleFn(fd, position)`. A close
      // answered here is noted in the CLOSED slot, which Python applies first when it next runs.
      // A REUSABLE open's records are kept under its arguments (`reusable`), and the same open
      // is answered here again while the number it would get is known (`free`: the number of a
      // descriptor closed here: Python's FdTable gives it next); such a descriptor
      // exists only here (`again` holds its arguments) until Python must see it: then `forget`
      // has Python open it for real through `reopenFn(fd, position, ...arguments)`.
      described(hot, recordProxy, settleFn, reopenFn, layout) {
        const { CHANGED_SLOTS, FDSTAT_AT, FILESTAT_AT, DATA_AT, HAS_STAT, QUIET_CLOSE, REUSABLE } = layout;
        const MAX_REUSABLE = 4096;
        let recordBuffer = recordProxy.getBuffer("u8"), record = recordBuffer.data;
        const i32 = (slot) => {
          const at = 4 * slot;
          return record[at] | (record[at + 1] << 8) | (record[at + 2] << 16) | (record[at + 3] << 24);
        };
        const setI32 = (slot, value) => {
          const at = 4 * slot;
          for (let i = 0; i < 4; i++) record[at + i] = (value >>> (8 * i)) & 255;
        };
        const fdstats = new Map();  // fd -> its fdstat record, until the table changes
        // the just-opened descriptor: its number, flags, filestat record and bytes (copied from
        // `record`, or a reusable open's), position, and `again`; null: none (a guest may pass -1)
        let fd = null, flags = 0, stat = null, data = null, position = 0, again = null;
        const reusable = new Map();  // path -> [{args, fdstat, stat, data, flags}]
        let free = -1;
        const freshRecord = () => {
          if (record.byteLength === 0) {
            recordBuffer.release();
            recordBuffer = recordProxy.getBuffer("u8");
            record = recordBuffer.data;
          }
          const changed = i32(layout.CHANGED_COUNT);
          if (changed === 0) return;
          if (changed > CHANGED_SLOTS) fdstats.clear();
          for (let i = 0; i < changed && i < CHANGED_SLOTS; i++) fdstats.delete(i32(layout.CHANGED + i));
          setI32(layout.CHANGED_COUNT, 0);
        };
        opened = {
          take() {
            freshRecord();
            const published = i32(layout.OPENED) - 1;
            if (published === -1) return;
            setI32(layout.OPENED, 0);
            // one copy of the records and bytes (each typed array allocated costs), viewed three ways
            const length = i32(layout.LENGTH);
            const copy = record.slice(FDSTAT_AT, DATA_AT + Math.max(length, 0)), base = FDSTAT_AT;
            fdstats.set(published, copy.subarray(0, 24));
            [fd, flags, position, again] = [published, i32(layout.FLAGS), 0, null];
            stat = copy.subarray(FILESTAT_AT - base, FILESTAT_AT - base + 64);
            data = length < 0 ? null : copy.subarray(DATA_AT - base);
          },
          drop() {  // a publication made while the guest waited: not taken (see `suspending`)
            freshRecord();
            setI32(layout.OPENED, 0);
            this.invalidate();
          },
          forget() {
            if (fd === null) return;
            const [moved, at, args] = [fd, position, again];
            fd = null;
            again = null;
            if (args !== null) reopenFn(moved, at, ...args);
            else if (at !== 0) settleFn(moved, at);
          },
          invalidate() {
            if (reusable.size !== 0) reusable.clear();  // clear() allocates a new table
            free = -1;
          },
          release() { recordBuffer.release(); },
        };
        const fits = (ptr, size) => {
          if (memory === null || ptr < 0) return false;
          freshGuest();
          return ptr + size <= guest.byteLength;
        };
        // The arguments of the open Python answers next (its path is read after the answer,
        // unless the answer's 4 bytes overlap it), and the reusable opens of each path (as
        // reopenFn takes it: a character per byte), compared by their other arguments.
        let asked = null;
        const pathOf = (ptr, length) => {
          let path = "";
          for (let at = ptr; at < ptr + length; at++) path += String.fromCharCode(guest[at]);
          return path;
        };
        const sameOpen = (known, args) => known.args.every((value, i) => i === 2 || value === args[i]);
        hot.path_open = (...args) => {
          const [dirfd, lookupflags, pathPtr, pathLength, oflags, base, inheriting, fdflags, resultPtr] = args;
          asked = null;
          if (pathLength < 0 || pathLength > 1024 || !fits(pathPtr, pathLength) || !fits(resultPtr, 4)) return undefined;
          asked = args;
          if (free === -1 || (fd !== null && position !== 0)) return undefined;
          const path = pathOf(pathPtr, pathLength);
          const known = reusable.get(path)?.find((entry) => sameOpen(entry, args));
          if (known === undefined) return undefined;
          [fd, flags, stat, data, position] = [free, known.flags, known.stat, known.data, 0];
          again = [dirfd, lookupflags, path, oflags, base, inheriting, fdflags];
          free = -1;
          fdstats.set(fd, known.fdstat);
          view.setUint32(resultPtr, fd, true);
          return 0;
        };
        hot.path_open.after = (_dirfd, result) => {
          const args = asked;
          asked = null;
          if (result !== 0 || fd === null || !(flags & REUSABLE) || args === null) {
            opened.invalidate();
            return;
          }
          free = -1;  // the number given next was taken
          const [pathPtr, pathLength, resultPtr] = [args[2], args[3], args[8]];
          if (resultPtr < pathPtr + pathLength && pathPtr < resultPtr + 4) return;
          const path = pathOf(pathPtr, pathLength);
          if (reusable.size >= MAX_REUSABLE) reusable.clear();
          const entries = (reusable.get(path) ?? []).filter((entry) => !sameOpen(entry, args));
          entries.push({ args: args.slice(0, 8), fdstat: fdstats.get(fd), stat, data, flags });
          reusable.set(path, entries);
        };
        hot.fdstat_get = (which, ptr) => {
          freshRecord();
          const known = fdstats.get(which);
          if (known === undefined || !fits(ptr, 24)) return undefined;
          guest.set(known, ptr);
          return 0;
        };
        hot.filestat_get = (which, ptr) => {
          if (which !== fd || !(flags & HAS_STAT) || !fits(ptr, 64)) return undefined;
          guest.set(stat, ptr);
          return 0;
        };
        hot.read = (which, iovs, count, resultPtr) => {
          if (which !== fd || data === null || iovs < 0 || count < 0 || !fits(resultPtr, 4)) return undefined;
          const size = guest.byteLength, end = iovs + count * 8, length = data.length;
          if (end > size) return undefined;
          for (let at = iovs; at < end; at += 8) {
            if (view.getUint32(at, true) + view.getUint32(at + 4, true) > size) return undefined;
          }
          let total = 0;
          for (let at = iovs; at < end && position < length; at += 8) {
            const buf = view.getUint32(at, true), n = Math.min(view.getUint32(at + 4, true), length - position);
            guest.set(data.subarray(position, position + n), buf);
            position += n;
            total += n;
          }
          view.setUint32(resultPtr, total, true);
          return 0;
        };
        hot.close = (which) => {
          if (which !== fd) return undefined;
          position = 0;  // the position closes with the descriptor
          if (!(flags & QUIET_CLOSE)) return undefined;
          fd = null;
          fdstats.delete(which);
          if (again === null) {
            freshRecord();
            setI32(layout.CLOSED, which + 1);
          }
          again = null;
          free = which;
          return 0;
        };
        return hot;
      },
      // Link and instantiate in one call (each Python -> JS crossing costs microseconds): `entries`
      // holds [namespace, name, function, mode, hot, results] per import, where mode is "js" (a JS
      // function, linked as it is), "wrap", "suspending" or "clock" (a Python adapter, whose proxy
      // `release` destroys), `hot` names the function of `hotFns` that may answer it in JS, and
      // `results` (the core types of a non-WASI import's results) asks for typedResults. Attaches
      // the exported memory, if any, with the scratch buffer, and returns it (or null); the instance
      // stays here (see `exported`).
      link(module, entries, hotFns, clockRule, scratchProxy) {
        const imports = {};
        for (const [namespace, name, fn, mode, hot, results, keeps] of entries) {
          let entry;
          if (mode === "js") entry = hotFns === null || hotFns === undefined ? fn : this.opaque(fn);
          else {
            proxies.push(fn);
            const fast = hot === undefined ? undefined : hotFns[hot];
            if (mode === "suspending") entry = this.suspending(fn, fast, keeps);
            else if (mode === "clock") entry = this.clock(fn, clockRule, keeps);
            else entry = this.wrap(fn, fast, keeps);
          }
          if (results !== undefined) entry = typedResults(entry, results);
          (imports[namespace] ??= {})[name] = entry;
        }
        instance = new WebAssembly.Instance(module, imports);
        const exported = instance.exports.memory;
        if (!(exported instanceof WebAssembly.Memory)) return null;
        this.attach(exported, scratchProxy);
        return exported;
      },
      // The instance's export `name` as Python calls it: i64 arguments made BigInts where `int64`
      // (a string of "0"/"1" per parameter) says so, through WebAssembly.promising when asked;
      // null when there is no such function.
      exported(name, int64, promising) {
        const own = Object.prototype.hasOwnProperty.call(instance.exports, name);
        const fn = own ? instance.exports[name] : undefined;
        if (typeof fn !== "function") return null;
        const callable = promising ? WebAssembly.promising(fn) : fn;
        return int64.includes("1") ? bigintArguments(callable, Array.from(int64, (flag) => flag === "1")) : callable;
      },
      // new Uint8Array and Uint32Array views over guest memory, for JsMemory
      views() { return [new Uint8Array(memory.buffer), new Uint32Array(memory.buffer)]; },
      // the end of a call into the guest: leases back to Python, gathered output delivered
      settle() {
        if (leases.size !== 0) settle();
        if (opened !== null) {
          opened.forget();
          opened.drop();
        }
        if (gatherer !== null) gatherer.flush();
      },
      flush() { fresh(); },
      // guest[ptr, ptr+n) -> scratch[0, n)
      get(ptr, n) { fresh(); scratch.set(guest.subarray(ptr, ptr + n)); },
      // scratch[0, n) -> guest[ptr, ptr+n)
      put(ptr, n) { fresh(); guest.set(scratch.subarray(0, n), ptr); },
      // The iovec table at iovs[0..count) -> scratch[0, 8 * count); when its buffers hold at most
      // `limit` bytes, they follow it, concatenated. Returns their total, -1 if a buffer lies outside
      // memory, -2 if the table does not fit in scratch, -3 if the data was not copied.
      iovecs(iovs, count, limit) {
        fresh();
        const size = guest.byteLength, table = count * 8;
        if (table > scratch.byteLength) return -2;
        scratch.set(guest.subarray(iovs, iovs + table));
        let total = 0;
        for (let at = iovs; at < iovs + table; at += 8) {
          const buf = view.getUint32(at, true), len = view.getUint32(at + 4, true);
          if (buf + len > size) return -1;
          total += len;
        }
        if (total > limit || table + total > scratch.byteLength) return -3;
        for (let at = iovs, out = table; at < iovs + table; at += 8) {
          const buf = view.getUint32(at, true), len = view.getUint32(at + 4, true);
          scratch.set(guest.subarray(buf, buf + len), out);
          out += len;
        }
        return total;
      },
      // concatenate the iovecs at iovs[0..count) into scratch; the total, or -1 if one lies outside
      // memory, or -2 if they do not fit in the scratch buffer
      gather(iovs, count) {
        fresh();
        const size = guest.byteLength;
        if (iovs + count * 8 > size) return -1;
        let total = 0;
        for (let i = 0; i < count; i++) {
          const buf = view.getUint32(iovs + i * 8, true), len = view.getUint32(iovs + i * 8 + 4, true);
          if (buf + len > size) return -1;
          if (total + len > scratch.byteLength) return -2;
          scratch.set(guest.subarray(buf, buf + len), total);
          total += len;
        }
        return total;
      },
      release() {
        logBuffer.release();
        if (scratchBuffer !== null) scratchBuffer.release();
        if (opened !== null) opened.release();
        for (const proxy of proxies.splice(0)) proxy.destroy();
        instance = null;
      },
    };
  },
  // The one output gatherer of an instance's stdout and stderr (engines/js.py OUTPUT_FLUSH_*):
  // the writes the bridge answers and those Python answers (kernel/streams.py GatheredOutput)
  // arrive here in the guest's order and go to `deliver(stream, bytes)` (the kernel's sink, which
  // in the worker posts them to the page as they come). A write after FLUSH_MS without output is
  // delivered at once, so a prompt or a progress line shows while the guest computes; later ones
  // wait, joined, until their batch is FLUSH_MS old or FLUSH_BYTES large (checked at each write),
  // a timer fires (as soon as the guest yields: it waits under JSPI, or ends), or `flush` is
  // called (the end of each call into the guest; before the worker blocks in Atomics.wait).
  gatherer(deliver, FLUSH_MS, FLUSH_BYTES) {
    let pending = [], size = 0, since = 0, last = -Infinity, scheduled = false;
    const flush = () => {
      const taken = pending;
      if (taken.length === 0) return;
      pending = [];
      size = 0;
      last = performance.now();
      for (let i = 0; i < taken.length; ) {  // one delivery per run of chunks to the same stream
        let end = i, total = 0;
        for (; end < taken.length && taken[end][0] === taken[i][0]; end++) total += taken[end][1].length;
        const stream = taken[i][0];
        let joined = taken[i][1];
        if (end - i > 1) {
          joined = new Uint8Array(total);
          for (let at = 0; i < end; i++) {
            joined.set(taken[i][1], at);
            at += taken[i][1].length;
          }
        }
        i = end;
        deliver(stream, joined);
      }
    };
    const onTimer = () => {
      scheduled = false;
      flush();
    };
    return {
      write(stream, bytes) {
        const now = performance.now();
        if (pending.length === 0) {
          if (now - last >= FLUSH_MS) {
            last = now;
            deliver(stream, bytes);
            return;
          }
          since = now;
          if (!scheduled) {
            scheduled = true;
            setTimeout(onTimer, 0);
          }
        }
        pending.push([stream, bytes]);
        size += bytes.length;
        if (size >= FLUSH_BYTES || now - since >= FLUSH_MS) flush();
      },
      flush,
    };
  },
  describe(error) {
    if (error instanceof WebAssembly.RuntimeError) return ["trap", error.message, String(error.stack || "")];
    if (error instanceof RangeError) return ["trap", error.message, String(error.stack || "")];
    if (error && error.name === "SuspendError") return ["suspend", error.message, String(error.stack || "")];
    if (error && error.type) return ["python", String(error.type), String(error.message || "")];
    return ["other", String(error && error.message || error), String(error && error.stack || "")];
  },
  timer(ms, resolve) { return setTimeout(resolve, ms); },
  bigintArguments,
  typedResults,
};
})()
