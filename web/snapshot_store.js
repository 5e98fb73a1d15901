// snapshot_store.js: where a worker keeps the Pyodide memory snapshot it boots from on the next page
// load: one file, named by interpreter.js's snapshotName, in the directory pywasi-snapshots/ of the
// origin private file system (OPFS).
//
// Not the Cache API, where it was kept before: a dedicated worker reads a file's 31.5 MB through a
// FileSystemSyncAccessHandle straight into its memory, 13-16 ms in Chromium 156, where a Cache API
// Response's arrayBuffer() took 40-70 ms alone and ~200 ms within a boot (its bytes come through
// the browser's storage process while the boot's fetches do). The handle is opened read-only, so
// that tabs booting at once can all read it; a browser where that fails (another tab writing it, or
// no such mode) reads the File instead.

const DIRECTORY = "pywasi-snapshots";
const PARTIAL = ".partial"; // a snapshot being written

/** Whether this worker can keep a snapshot: OPFS and crypto.subtle (for the name) need a secure
 * context (https or localhost). */
export const SNAPSHOTS_POSSIBLE =
  typeof globalThis.navigator?.storage?.getDirectory === "function" && globalThis.crypto?.subtle !== undefined;

const directory = async () => (await navigator.storage.getDirectory()).getDirectoryHandle(DIRECTORY, { create: true });

/** The snapshot kept (keep() keeps one) as {name, bytes: a promise of them, being read}, or null. */
export async function readKept() {
  const files = [];
  for await (const [name, handle] of (await directory()).entries()) {
    if (handle.kind === "file" && !name.endsWith(PARTIAL)) files.push([name, handle]);
  }
  const [entry] = files.sort(([a], [b]) => (a < b ? -1 : 1)); // two, if two tabs kept theirs at once
  if (!entry) return null;
  const [name, handle] = entry;
  const bytes = readFile(handle);
  bytes.catch(() => {}); // awaited only when it is the one wanted
  return { name, bytes };
}

async function readFile(handle) {
  let access;
  try {
    access = await handle.createSyncAccessHandle({ mode: "read-only" });
  } catch {
    return new Uint8Array(await (await handle.getFile()).arrayBuffer());
  }
  try {
    const bytes = new Uint8Array(access.getSize());
    if (access.read(bytes, { at: 0 }) !== bytes.length) throw new Error("the snapshot file was cut short");
    return bytes;
  } finally {
    access.close();
  }
}

/** Keep `bytes` as the snapshot `name` and drop any other. Written to NAME.partial, which only
 * a complete write renames NAME (so a page closed meanwhile leaves no snapshot cut short), through a
 * FileSystemSyncAccessHandle: ~15-30 ms on this thread for 31.5 MB in Chromium 156. Not a writable
 * stream (createWritable): its 100-240 ms, off this thread, were cut short by a page reloaded soon
 * after its first run, and the next boot had none. Not flushed: it is a cache, rebuilt if lost. */
export async function keep(name, bytes) {
  const kept = await directory();
  const present = await kept.getFileHandle(name).catch(() => null);
  if (!present || (await present.getFile()).size !== bytes.length) {
    const partial = await kept.getFileHandle(`${name}${PARTIAL}`, { create: true });
    const access = await partial.createSyncAccessHandle();
    try {
      access.truncate(0);
      if (access.write(bytes, { at: 0 }) !== bytes.length) throw new Error("the snapshot was not written whole");
    } finally {
      access.close();
    }
    await partial.move(name);
  }
  const others = [];
  for await (const other of kept.keys()) if (other !== name) others.push(other);
  await Promise.all(others.map((other) => kept.removeEntry(other).catch(() => {})));
}

/** Drop the snapshot `name` (Pyodide rejected it). */
export async function forget(name) {
  await (await directory()).removeEntry(name).catch(() => {});
}
