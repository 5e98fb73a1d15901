// The component baseline: the component transpiled by jco (`jco transpile --instantiation async`,
// bench/browser/components.py) run on @bytecodealliance/preview2-shim's browser build, in a module
// worker. Each run gets its own CLI (arguments, a gathering stdout) and its own filesystem: an
// InMemoryFilesystemAdapter with an empty directory preopened as ".", as pywasi_web gets a fresh
// in-memory "." mount.
//
// Message in:  {url (the transpiled module), cores ({file name: ArrayBuffer}), args}
// Message out: {exitCode, runMs (the wasi:cli/run call alone), totalMs (compile, instantiate and
//              run), stdout: Uint8Array} or {error}
import * as shim from "/bench/preview2-shim/index.js";

const { createCli } = shim.cli;
const { createFilesystem, InMemoryFilesystemAdapter } = shim.filesystem;
const camel = (name) => name.replace(/-(\w)/g, (_, letter) => letter.toUpperCase());

// "wasi:cli/terminal-input" -> cli.terminalInput, from this run's cli and filesystem, else the shim's.
function importOf(name, own) {
  const [, pkg, iface] = /^wasi:([a-z-]+)\/([a-z-]+)$/.exec(name);
  const value = (own[pkg] ?? shim[pkg])[camel(iface)];
  if (value === undefined) throw new Error(`preview2-shim has no ${name}`);
  return value;
}

function joined(chunks) {
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

self.onmessage = async ({ data: { url, cores, args } }) => {
  try {
    const began = performance.now();
    const { instantiate } = await import(url);
    const chunks = [];
    const cli = createCli({
      arguments: ["bench.wasm", ...args],
      stdout: { write: (bytes) => { chunks.push(bytes.slice()); }, blockingFlush() {} },
      stderr: { write() {}, blockingFlush() {} },
    });
    const filesystem = createFilesystem({
      adapter: new InMemoryFilesystemAdapter(),
      preopens: { ".": { dir: {} } },
    });
    const modules = Object.fromEntries(
      await Promise.all(Object.entries(cores).map(async ([name, bytes]) => [name, await WebAssembly.compile(bytes)])),
    );
    // The transpiled module reads the imports it needs by unversioned interface name.
    const imports = new Proxy({}, { get: (_, name) => importOf(name, { cli, filesystem }) });
    const component = await instantiate((name) => modules[name], imports);
    const run = Object.entries(component).find(([name]) => name.startsWith("wasi:cli/run@"))[1].run;
    let exitCode = 0;
    const started = performance.now();
    try {
      run();
    } catch (error) {
      if (!error.exitError) throw error;
      exitCode = error.code;
    }
    const ended = performance.now();
    filesystem.dispose();
    const stdout = joined(chunks);
    postMessage({ exitCode, runMs: ended - started, totalMs: ended - began, stdout }, [stdout.buffer]);
  } catch (error) {
    postMessage({ error: String(error && error.stack || error) });
  }
};
