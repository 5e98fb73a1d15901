// A run as a link: the program's name, arguments, environment, stdin and small text files, as JSON in
// the URL's fragment (#run=<base64url>), which never reaches a server. Binary and large files, and
// an uploaded .wasm, stay out: the link says what it left out.

import { asText } from "./playground_files.js";

const PREFIX = "#run=";
const MAX_FILE_BYTES = 16 * 1024;
const MAX_FILES_BYTES = 48 * 1024;

/** {url, left: [what was left out]} for a run's inputs; `files` maps guest paths to bytes. */
export function shareLink({ program, args, env, stdin, files }, base = location.href) {
  const left = [];
  const shared = {};
  let total = 0;
  for (const [path, data] of Object.entries(files).sort()) {
    const text = asText(data);
    if (text === null) left.push(`${path} (binary)`);
    else if (data.length > MAX_FILE_BYTES || total + data.length > MAX_FILES_BYTES) left.push(`${path} (too large)`);
    else {
      shared[path] = text;
      total += data.length;
    }
  }
  const json = JSON.stringify({ program, args, env, stdin, files: shared });
  const url = new URL(base);
  url.hash = PREFIX.slice(1) + toBase64url(new TextEncoder().encode(json));
  return { url: url.href, left };
}

/** The shared run in a URL fragment, or null (none, or not one of ours). */
export function readShared(hash = location.hash) {
  if (!hash.startsWith(PREFIX)) return null;
  try {
    const run = JSON.parse(new TextDecoder().decode(fromBase64url(hash.slice(PREFIX.length))));
    const encoder = new TextEncoder();
    const files = Object.fromEntries(Object.entries(run.files ?? {}).map(([path, text]) => [path, encoder.encode(String(text))]));
    return { program: String(run.program ?? ""), args: String(run.args ?? ""), env: String(run.env ?? ""), stdin: String(run.stdin ?? ""), files };
  } catch {
    return { error: "this link's run could not be read (it may have been cut short)" };
  }
}

function toBase64url(bytes) {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64url(text) {
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}
