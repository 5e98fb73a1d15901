// run_options.js: what Runtime.run(wasm, options) accepts, checked on the page before anything is
// sent to the worker, so a mistake becomes an error result with one line naming the option (never
// an exception, never a Python traceback from deep inside the run). `sockets` and `allow` are checked
// by the worker (pywasi_web/net/spec.py), whose refusals are one line too.
//
//   const problem = checkRun(wasm, options);   // null, or a one-line message

/** Every option run() knows; any other name is refused (a typo would otherwise be ignored silently). */
export const RUN_OPTIONS = Object.freeze([
  "args", "argv0", "env", "files", "mounts", "stdin", "interactive", "trace", "timeoutMs",
  "maxMemoryBytes", "sockets", "allow", "onStdout", "onStderr", "onTrace", "imports", "returnFiles",
]);
/** Marks an Instance (web/pywasi.js), which a component's `imports` may give for an interface. */
export const LINKABLE = Symbol("pywasi instance");
const MOUNT_KEYS = ["files", "readOnly", "persistent", "backend", "host", "url", "cacheBytes", "kept"];
const RETURN_FILES = ["changed", "all"];
const BACKENDS = ["indexeddb", "opfs"];

/** Why `wasm` cannot be a guest, or null: a URL (string or URL) or the module's bytes. */
export function checkGuest(wasm) {
  if (typeof wasm === "string" || wasm instanceof URL || isBytes(wasm)) return null;
  return `the guest must be a URL (a string or URL) or the module's bytes (ArrayBuffer or Uint8Array), not ${describe(wasm)}`;
}

/** Why these run options cannot be used, or null. */
export function checkOptions(options) {
  if (options === undefined || options === null) return null;
  if (!isPlainObject(options)) return `options must be an object, not ${describe(options)}`;
  const unknown = Object.keys(options).filter((name) => !RUN_OPTIONS.includes(name));
  if (unknown.length) return `unknown option ${JSON.stringify(unknown[0])} (run() knows ${RUN_OPTIONS.join(", ")})`;
  const checks = [
    ["args", () => checkList(options.args, "args", checkText)],
    ["argv0", () => checkText(options.argv0, "argv0")],
    ["env", () => checkEnv(options.env)],
    ["files", () => checkFiles(options.files, "files")],
    ["mounts", () => checkMounts(options.mounts)],
    ["stdin", () => (typeof options.stdin === "string" || isBytes(options.stdin) ? null
      : `stdin must be a string or bytes (Uint8Array, ArrayBuffer), not ${describe(options.stdin)}`)],
    ["interactive", () => checkType(options.interactive, "interactive", "boolean")],
    ["trace", () => checkType(options.trace, "trace", "boolean")],
    ["timeoutMs", () => checkPositive(options.timeoutMs, "timeoutMs")],
    ["maxMemoryBytes", () => checkPositive(options.maxMemoryBytes, "maxMemoryBytes")],
    ["onStdout", () => checkType(options.onStdout, "onStdout", "function")],
    ["onStderr", () => checkType(options.onStderr, "onStderr", "function")],
    ["onTrace", () => checkType(options.onTrace, "onTrace", "function")],
    ["imports", () => checkImports(options.imports)],
    ["returnFiles", () => (RETURN_FILES.includes(options.returnFiles) ? null
      : `returnFiles must be one of ${RETURN_FILES.join(", ")}, not ${describe(options.returnFiles)}`)],
  ];
  return firstProblem(checks, options);
}

function checkImports(imports) {
  if (!isPlainObject(imports)) return `imports must be an object of module names to functions, not ${describe(imports)}`;
  for (const [module, members] of Object.entries(imports)) {
    if (members?.[LINKABLE]) continue; // an open instance's exports, for a component
    if (!isPlainObject(members)) return `imports[${JSON.stringify(module)}] must be an object of names to functions, not ${describe(members)}`;
    for (const [name, value] of Object.entries(members)) {
      const problem = checkType(value, `imports[${JSON.stringify(module)}][${JSON.stringify(name)}]`, "function");
      if (problem) return problem;
    }
  }
  return null;
}

function checkEnv(env) {
  if (!isPlainObject(env)) return `env must be an object of names to values, not ${describe(env)}`;
  for (const [name, value] of Object.entries(env)) {
    if (name === "" || name.includes("=") || name.includes("\0")) {
      return `env name ${JSON.stringify(name)} must be non-empty, without "=" or NUL`;
    }
    const problem = checkText(value, `env[${JSON.stringify(name)}]`);
    if (problem) return problem;
  }
  return null;
}

function checkMounts(mounts) {
  if (!isPlainObject(mounts)) return `mounts must be an object of guest paths to mounts, not ${describe(mounts)}`;
  for (const [guest, mount] of Object.entries(mounts)) {
    const problem = checkMount(mount, `mounts[${JSON.stringify(guest)}]`);
    if (problem) return problem;
  }
  return null;
}

/** Why one mount spec ({files}, {persistent}, {host}, {url} or {kept}) cannot be used, or null;
 * `what` names it in the message. Runtime.mount checks its spec with this too. */
export function checkMount(mount, what) {
  if (!isPlainObject(mount)) return `${what} must be an object ({files}, {persistent}, {host}, {url} or {kept}), not ${describe(mount)}`;
  const unknown = Object.keys(mount).find((key) => !MOUNT_KEYS.includes(key));
  if (unknown) return `${what} has an unknown key ${JSON.stringify(unknown)} (known: ${MOUNT_KEYS.join(", ")})`;
  return firstProblem([
    ["files", () => checkFiles(mount.files, `${what}.files`)],
    ["host", () => checkText(mount.host, `${what}.host`)],
    ["persistent", () => checkText(mount.persistent, `${what}.persistent`)],
    ["url", () => (typeof mount.url === "string" || mount.url instanceof URL ? null
      : `${what}.url (a manifest's URL) must be a string or URL, not ${describe(mount.url)}`)],
    ["cacheBytes", () => (Number.isSafeInteger(mount.cacheBytes) && mount.cacheBytes >= 0 ? null
      : `${what}.cacheBytes (a URL mount's cache bound) must be a whole number of bytes, 0 or more, not ${describe(mount.cacheBytes)}`)],
    ["kept", () => checkText(mount.kept, `${what}.kept`)],
    ["backend", () => (BACKENDS.includes(mount.backend) ? null
      : `${what}.backend must be one of ${BACKENDS.join(", ")}, not ${describe(mount.backend)}`)],
    ["readOnly", () => checkType(mount.readOnly, `${what}.readOnly`, "boolean")],
  ], mount);
}

/** The first problem among [name, check] pairs, checking only the names `values` sets. */
function firstProblem(checks, values) {
  for (const [name, check] of checks) {
    if (values[name] === undefined || values[name] === null) continue;
    const problem = check();
    if (problem) return problem;
  }
  return null;
}

function checkFiles(files, what) {
  if (!isPlainObject(files)) return `${what} must be an object of paths to contents, not ${describe(files)}`;
  for (const [path, data] of Object.entries(files)) {
    const ok = data === null || typeof data === "string" || isBytes(data) || (isPlainObject(data) && typeof data.symlink === "string");
    if (!ok) return `${what}[${JSON.stringify(path)}] must be a string, bytes, null (a directory) or {symlink: target}, not ${describe(data)}`;
  }
  return null;
}

function checkList(value, what, checkItem) {
  if (!Array.isArray(value)) return `${what} must be an array, not ${describe(value)}`;
  for (const [index, item] of value.entries()) {
    const problem = checkItem(item, `${what}[${index}]`);
    if (problem) return problem;
  }
  return null;
}

function checkText(value, what) {
  if (typeof value !== "string") return `${what} must be a string, not ${describe(value)}`;
  if (value.includes("\0")) return `${what} contains a NUL character, which the guest's C strings cannot hold`;
  return null;
}

function checkType(value, what, type) {
  return typeof value === type ? null : `${what} must be a ${type}, not ${describe(value)}`;
}

function checkPositive(value, what) {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? null
    : `${what} must be a positive number, not ${describe(value)}`;
}

function isBytes(value) {
  return value instanceof ArrayBuffer || value instanceof Uint8Array;
}

function isPlainObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !isBytes(value);
}

function describe(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (isBytes(value)) return value.constructor.name;
  if (typeof value === "object") return value.constructor?.name ? `a ${value.constructor.name}` : "an object";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeof value === "function" ? "a function" : `${typeof value} ${String(value)}`;
}
