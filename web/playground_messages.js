// What a run's error means to someone using the page: the runtime's messages are written for
// embedders (Python or JS callers); here each kind gets a title, a plain message and, where it
// helps, what to do next. Only the wording changes: the facts (import names, trap reasons) stay.

const TRAP_REASONS = [
  [/unreachable/i, "it reached an `unreachable` instruction, which is how C's abort() and failed assertions end"],
  [/out of bounds memory|memory access out of bounds/i, "it read or wrote outside its own memory"],
  [/divide by zero|division by zero/i, "it divided an integer by zero"],
  [/call stack|stack overflow/i, "it recursed too deeply and ran out of stack"],
  [/indirect call|signature mismatch|table index/i, "it called a function pointer that is not valid"],
  [/integer overflow|unrepresentable/i, "an integer conversion overflowed"],
];

/**
 * {tone: "error" | "notice", title, message, help?, backtrace?} for a run's `error`
 * ({kind, message, backtrace?}); `stopped` is true when the user pressed Stop (or Ctrl-C).
 */
export function describeError(error, { stopped = false } = {}) {
  const { kind, message = "", backtrace } = error;
  if (kind === "timeout") {
    return stopped
      ? { tone: "notice", title: "Stopped", message: "you stopped the program; the worker restarts for the next run" }
      : { tone: "error", title: "Stopped", message: message.replace(/^the guest /, "the program ") };
  }
  if (kind === "trap") return trap(message, backtrace);
  if (kind === "module") return moduleError(message);
  if (kind === "CapabilityError") {
    return { tone: "error", title: "Not allowed", message, help: "The program asked for something this page did not give it." };
  }
  if (kind === "StoreError") return { tone: "error", title: "Persistent storage", message };
  if (kind === "internal") {
    return { tone: "error", title: "The page could not run the program", message, help: "Reload the page to start a new worker." };
  }
  return { tone: "error", title: "The program could not run", message: `${message} (${kind})` };
}

function trap(message, backtrace) {
  const reason = message.replace(/^the (guest|module's start function) trapped: /, "");
  const known = TRAP_REASONS.find(([pattern]) => pattern.test(reason));
  return {
    tone: "error",
    title: "The program crashed",
    message: reason,
    help: known ? `WebAssembly stopped it: ${known[1]}.` : "WebAssembly stopped it (a trap).",
    backtrace,
  };
}

function moduleError(message) {
  const title = "This module cannot run";
  if (/reactor module/.test(message)) {
    return {
      tone: "error", title,
      message: "it is a library (a WASI reactor: it exports _initialize, not _start), not a program",
      help: "The playground runs commands, modules with a _start function.",
    };
  }
  if (/exports neither _start/.test(message)) {
    return { tone: "error", title, message: "it has no _start function, so there is nothing to run" };
  }
  const missing = message.match(/imports (\S+), which is not provided/);
  if (missing) {
    return {
      tone: "error", title,
      message: `it needs ${missing[1]}, which is not provided here`,
      help: "Only WASI preview 1 (wasi_snapshot_preview1) is given to a program; it was built for another host.",
    };
  }
  if (/^invalid WebAssembly module/.test(message)) {
    return { tone: "error", title, message: message.replace(/^invalid WebAssembly module/, "this is not a valid WebAssembly module") };
  }
  return { tone: "error", title, message };
}
