// opfs_store.js: the OPFS backend of persistent stores (pywasi_web/vfs/persistent.py's Store), written
// through FileSystemSyncAccessHandle (dedicated workers, Chromium). A JS function of the shared helpers
// (store_common.js), evaluated once by pywasi_web/browser/stores.py.
//
// A store is the directory pywasi-stores/<encoded name>/ in the origin's private file system:
//   pack-<generation>   the values a commit wrote, one after another
//   super-0, super-1    "<length>:<crc32>\n<json>", json = {generation, records: {key: [pack, offset, length]}}
// A commit writes a new pack and flushes it, then writes the superblock of the slot the CURRENT
// generation does not use, and flushes it: that write is the commit point. A crash before it leaves the
// current superblock untouched; a torn superblock fails its length or CRC and the other slot (the
// previous generation) is used. Packs no superblock refers to are deleted once the new superblock is
// down (and when the store is opened). A pack whose live values fill less than half of it is
// compacted: its live values are copied into the next pack, so the store stays within about twice its
// live size. A full quota fails the pack or superblock write: the new pack is removed and the store
// keeps the old state.

(({ storeError, checkName, lockStore, fullError }) => {
  const ROOT = "pywasi-stores";
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  function crc32(bytes) {
    let crc = 0xffffffff;
    for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
    return (crc ^ 0xffffffff) >>> 0;
  }

  const root = async () => (await navigator.storage.getDirectory()).getDirectoryHandle(ROOT, { create: true });
  const storeDirectory = async (name) =>
    (await root()).getDirectoryHandle(encodeURIComponent(checkName(name)), { create: true });

  /** Write `chunks` as the whole content of `file`, flushed; a full quota becomes StoreFull (Chromium
   * may also answer it with a short write, or a bogus count, instead of QuotaExceededError). */
  async function writeFile(directory, file, chunks, name) {
    const handle = await (await directory.getFileHandle(file, { create: true })).createSyncAccessHandle();
    try {
      handle.truncate(0);
      let at = 0;
      for (const chunk of coalesce(chunks)) {
        if (handle.write(chunk, { at }) !== chunk.length) throw fullError(name, null);
        at += chunk.length;
      }
      handle.flush();
    } catch (error) {
      throw error && error.name === "QuotaExceededError" ? fullError(name, error) : error;
    } finally {
      handle.close();
    }
  }

  /** Small chunks joined into buffers of about COALESCE bytes: each write() has a fixed cost, and
   * 2000 small ones made a write-back of 1000 files 15 times slower. */
  const COALESCE = 1 << 20;
  function* coalesce(chunks) {
    let pending = [];
    let size = 0;
    const join = () => {
      const out = new Uint8Array(size);
      let at = 0;
      for (const chunk of pending) {
        out.set(chunk, at);
        at += chunk.length;
      }
      pending = [];
      size = 0;
      return out;
    };
    for (const chunk of chunks) {
      if (chunk.length >= COALESCE) {
        if (size) yield join();
        yield chunk;
        continue;
      }
      pending.push(chunk);
      size += chunk.length;
      if (size >= COALESCE) yield join();
    }
    if (size) yield join();
  }

  async function readFile(directory, file) {
    try {
      const handle = await directory.getFileHandle(file);
      return new Uint8Array(await (await handle.getFile()).arrayBuffer());
    } catch (error) {
      if (error && error.name === "NotFoundError") return null;
      throw error;
    }
  }

  /** The newest intact superblock, or an empty store at generation 0. */
  async function readSuper(directory) {
    let best = { generation: 0, records: {}, slot: 1 };
    for (const slot of [0, 1]) {
      const bytes = await readFile(directory, `super-${slot}`);
      const parsed = bytes && parseSuper(bytes);
      if (parsed && parsed.generation > best.generation) best = { ...parsed, slot };
    }
    return best;
  }

  function parseSuper(bytes) {
    const newline = bytes.indexOf(10);
    if (newline < 0) return null;
    const [length, crc] = decoder.decode(bytes.subarray(0, newline)).split(":").map(Number);
    const body = bytes.subarray(newline + 1);
    if (body.length !== length || crc32(body) !== crc) return null;
    return JSON.parse(decoder.decode(body));
  }

  function encodeSuper(state) {
    const body = encoder.encode(JSON.stringify({ generation: state.generation, records: state.records }));
    return [encoder.encode(`${body.length}:${crc32(body)}\n`), body];
  }

  /** Delete the packs the superblock does not refer to (left by a crash, or replaced). */
  async function collect(directory, records) {
    const live = new Set(Object.values(records).map(([pack]) => pack));
    const dead = [];
    for await (const entry of directory.keys()) if (entry.startsWith("pack-") && !live.has(entry)) dead.push(entry);
    for (const entry of dead) await directory.removeEntry(entry);
  }

  async function openStore(name) {
    const directory = await storeDirectory(name);
    let state = await readSuper(directory);
    await collect(directory, state.records);
    const files = new Map(); // pack -> File snapshot, for reads

    async function read(key) {
      const place = state.records[key];
      if (!place) return null;
      const [pack, offset, length] = place;
      if (!files.has(pack)) files.set(pack, await (await directory.getFileHandle(pack)).getFile());
      return new Uint8Array(await files.get(pack).slice(offset, offset + length).arrayBuffer());
    }

    return {
      async load(prefix) {
        const keys = Object.keys(state.records).filter((key) => key.startsWith(prefix));
        return { keys, values: await Promise.all(keys.map(read)) };
      },
      get: read,
      async generation() {
        return state.generation;
      },
      async commit(keys, values, deletes, expected) {
        const current = await readSuper(directory);
        if (current.generation !== expected) {
          throw storeError("StoreConflict", `store "${name}" is at generation ${current.generation}, this tree loaded generation ${expected}`);
        }
        const generation = expected + 1;
        const pack = `pack-${generation}`;
        const records = { ...current.records };
        for (const key of deletes) delete records[key];
        for (const key of keys) delete records[key];
        const chunks = [];
        let offset = 0;
        const add = (key, value) => {
          records[key] = [pack, offset, value.length];
          chunks.push(value);
          offset += value.length;
        };
        for (const [key, value] of await compactable(records)) add(key, value);
        keys.forEach((key, i) => add(key, values[i]));
        const next = { generation, records };
        try {
          await writeFile(directory, pack, chunks, name);
          await writeFile(directory, `super-${1 - current.slot}`, encodeSuper(next), name);
        } catch (error) {
          await directory.removeEntry(pack).catch(() => {});
          throw error;
        }
        state = { ...next, slot: 1 - current.slot };
        files.clear();
        await collect(directory, records);
        return generation;
      },
      close() {
        files.clear();
      },
    };

    /** The live values of packs less than half live, to be copied into the next pack. */
    async function compactable(records) {
      const live = new Map();
      for (const [key, [pack, , length]] of Object.entries(records)) {
        const entry = live.get(pack) ?? { bytes: 0, keys: [] };
        entry.bytes += length;
        entry.keys.push(key);
        live.set(pack, entry);
      }
      const moved = [];
      for (const [pack, { bytes, keys }] of live) {
        const size = (await (await directory.getFileHandle(pack)).getFile()).size;
        if (bytes * 2 < size) for (const key of keys) moved.push([key, await read(key)]);
      }
      return moved;
    }
  }

  /** The names of this origin's stores. */
  async function listStores() {
    const names = [];
    for await (const entry of (await root()).keys()) names.push(decodeURIComponent(entry));
    return names.sort();
  }

  /** Delete a store (under its lock, so never while a run has it mounted). */
  async function deleteStore(name) {
    const release = await lockStore("opfs", name);
    try {
      await (await root()).removeEntry(encodeURIComponent(checkName(name)), { recursive: true });
    } catch (error) {
      if (!(error && error.name === "NotFoundError")) throw error;
    } finally {
      release();
    }
  }

  return { openStore, listStores, deleteStore };
})
