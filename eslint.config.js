// ESLint's configuration (flat config): the JavaScript this project ships, checked by
// tests/test_js_lint.py. Recommended rules; the browser and worker globals each file uses.
import js from "@eslint/js";

const browser = Object.fromEntries(
  [
    "window", "self", "document", "console", "performance", "setTimeout", "clearTimeout", "fetch",
    "URL", "Worker", "postMessage", "TextEncoder", "TextDecoder", "WebAssembly", "BigInt", "Atomics",
    "SharedArrayBuffer", "crypto", "caches", "Response", "navigator", "indexedDB", "WebSocket",
    "WebSocketStream", "AbortController", "Headers", "Request", "ReadableStream", "structuredClone",
    "IDBKeyRange", "matchMedia", "ResizeObserver", "MutationObserver", "URLSearchParams", "location",
    "Option", "prompt", "Blob", "CSS", "btoa", "atob",
  ].map((name) => [name, "readonly"]),
);

export default [
  js.configs.recommended,
  // `const { omitted, ...rest } = options` drops keys on purpose
  { rules: { "no-unused-vars": ["error", { ignoreRestSiblings: true }] } },
  {
    files: ["web/*.js"],
    languageOptions: { sourceType: "module", globals: browser },
  },
  {
    // evaluated by Pyodide's run_js: each file is one expression
    files: ["pywasi_web/engines/*.js", "pywasi_web/browser/*.js"],
    languageOptions: { sourceType: "script", globals: browser },
    rules: { "no-unused-expressions": "off" },
  },
];
