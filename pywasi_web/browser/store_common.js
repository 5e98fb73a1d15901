// store_common.js: what both persistent-store backends (idb_store.js, opfs_store.js) share: errors the
// Python side maps by `name`, store names, and the per-store Web Lock.
//
// Error names: "StoreConflict" (another writer committed since this tree was loaded), "StoreFull"
// (the quota is exhausted: nothing was applied), "StoreBusy" (another tab or run holds the store's
// Web Lock), "StoreName" (an unusable store name).

(() => {
  const MAX_NAME = 200;

  function storeError(name, message) {
    const error = new Error(message);
    error.name = name;
    return error;
  }

  function checkName(name) {
    // eslint-disable-next-line no-control-regex -- control characters are what it refuses
    if (typeof name !== "string" || name.length === 0 || name.length > MAX_NAME || /[\u0000-\u001f]/.test(name)) {
      throw storeError("StoreName", `a persistent store name must be 1 to ${MAX_NAME} printable characters, not ${JSON.stringify(name)}`);
    }
    return name;
  }

  /**
   * Take the store's exclusive Web Lock without waiting: resolves to a function that releases it
   * (and returns a promise of the moment the lock manager has let it go, so that reopening the
   * store right after a close finds it free), or fails with StoreBusy when another tab (or run)
   * holds it. Without Web Locks the generation check still refuses a second writer at its first
   * write-back.
   */
  function lockStore(backend, name) {
    checkName(name);
    if (!globalThis.navigator?.locks) return Promise.resolve(() => Promise.resolve());
    return new Promise((resolve, reject) => {
      const released = navigator.locks
        .request(`pywasi-store:${backend}:${name}`, { mode: "exclusive", ifAvailable: true }, (lock) => {
          if (lock === null) {
            reject(storeError("StoreBusy", `persistent store "${name}" is in use by another tab or run`));
            return undefined;
          }
          return new Promise((release) => resolve(() => {
            release();
            return released;
          }));
        });
      released.catch(reject);
    });
  }

  /** The quota ran out (QuotaExceededError): the write-back was not applied. */
  function fullError(name, error) {
    const detail = error && error.message ? `: ${error.message}` : "";
    return storeError("StoreFull", `the browser's storage quota for this site is exhausted (store "${name}")${detail}`);
  }

  return { storeError, checkName, lockStore, fullError };
})()
