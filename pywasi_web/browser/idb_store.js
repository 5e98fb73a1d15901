// idb_store.js: the IndexedDB backend of persistent stores (pywasi_web/vfs/persistent.py's Store).
// A JS function of the shared helpers (store_common.js), evaluated once by
// pywasi_web/browser/stores.py; it ships in the wheel, so it works wherever the wheel runs in
// Pyodide: the worker, a JupyterLite kernel.
//
// One database per store ("pywasi-store:<name>") with two object stores: "records" (key -> bytes)
// and "meta" ("generation" -> number). A commit is ONE readwrite transaction that first checks the
// generation and then issues every delete and put, so the store holds the old or the new state,
// never a mix, even if the page dies mid-commit. IndexedDB requires every request of a transaction
// to be issued before anything else is awaited, or the transaction closes: hence the callbacks.

(({ storeError, checkName, lockStore, fullError }) => {
  const PREFIX = "pywasi-store:";

  const request = (req) =>
    new Promise((resolve, reject) => {
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });

  function openDatabase(name) {
    const req = indexedDB.open(PREFIX + checkName(name), 1);
    req.onupgradeneeded = () => {
      req.result.createObjectStore("records");
      req.result.createObjectStore("meta");
    };
    return request(req);
  }

  /** What a failed transaction means for the guest: a full quota is StoreFull, anything else as it is. */
  function transactionError(tx, name) {
    const error = tx.error;
    if (error && error.name === "QuotaExceededError") return fullError(name, error);
    return error ?? storeError("StoreAborted", `the transaction on store "${name}" was aborted`);
  }

  async function openStore(name) {
    const db = await openDatabase(name);
    // a newer version (or a deletion from another tab) must not wait for this connection
    db.onversionchange = () => db.close();
    return {
      /** {keys, values} of every record whose key starts with `prefix`. */
      load(prefix) {
        const tx = db.transaction("records", "readonly");
        const range = IDBKeyRange.bound(prefix, prefix + "\uffff");
        const records = tx.objectStore("records");
        return Promise.all([request(records.getAllKeys(range)), request(records.getAll(range))]).then(
          ([keys, values]) => ({ keys, values }),
        );
      },
      get(key) {
        const req = db.transaction("records", "readonly").objectStore("records").get(key);
        return request(req).then((value) => value ?? null);
      },
      generation() {
        const req = db.transaction("meta", "readonly").objectStore("meta").get("generation");
        return request(req).then((value) => value ?? 0);
      },
      /** Apply puts and deletes in one transaction if the generation is `expected`; the new generation. */
      commit(keys, values, deletes, expected) {
        return new Promise((resolve, reject) => {
          const tx = db.transaction(["records", "meta"], "readwrite", { durability: "strict" });
          const records = tx.objectStore("records");
          const meta = tx.objectStore("meta");
          let conflict = null;
          const check = meta.get("generation");
          check.onsuccess = () => {
            const current = check.result ?? 0;
            if (current !== expected) {
              conflict = storeError(
                "StoreConflict",
                `store "${name}" is at generation ${current}, this tree loaded generation ${expected}`,
              );
              tx.abort();
              return;
            }
            for (const key of deletes) records.delete(key);
            for (let i = 0; i < keys.length; i++) records.put(values[i], keys[i]);
            meta.put(current + 1, "generation");
          };
          tx.oncomplete = () => resolve(expected + 1);
          tx.onabort = () => reject(conflict ?? transactionError(tx, name));
        });
      },
      close() {
        db.close();
      },
    };
  }

  /** The names of the stores of this origin. */
  async function listStores() {
    const databases = await indexedDB.databases();
    return databases
      .map((db) => db.name)
      .filter((dbName) => dbName.startsWith(PREFIX))
      .map((dbName) => dbName.slice(PREFIX.length))
      .sort();
  }

  /** Delete a store (under its lock, so never while a run has it mounted). */
  async function deleteStore(name) {
    const release = await lockStore("indexeddb", name);
    try {
      await request(indexedDB.deleteDatabase(PREFIX + checkName(name)));
    } finally {
      release();
    }
  }

  return { openStore, listStores, deleteStore };
})
