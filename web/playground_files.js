// The files panel: the guest's "/" mount as a tree (what the next run is given, and after a run what
// the guest left there, new and changed files marked), a viewer and editor for one file, downloads,
// and drag-and-drop of files (to /data) and of a .wasm (which becomes the program).

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];
const HEX_BYTES = 4096; // a binary file's first bytes are shown as a hex dump

export class FilesPanel {
  constructor(elements, { onWasm, onOpen }) {
    this.el = elements;
    this.onWasm = onWasm;
    this.onOpen = onOpen;
    this.files = {}; // guest path -> Uint8Array
    this.marks = {}; // guest path -> "new" | "changed" (by the last run)
    this.urls = []; // object URLs of the download links, revoked on each redraw
    this.opened = null;
    elements.editor.oninput = () => this.edited();
    this.acceptDrops(elements.dropzone);
  }

  /** Replace every file; `before` (the files a run was given) marks what the run added or changed. */
  set(files, before = null) {
    this.files = { ...files };
    this.marks = {};
    if (before) {
      for (const [path, data] of Object.entries(files)) {
        if (!(path in before)) this.marks[path] = "new";
        else if (!sameBytes(before[path], data)) this.marks[path] = "changed";
      }
    }
    this.render();
    if (this.opened in this.files) this.open(this.opened);
    else this.close();
  }

  add(path, data) {
    this.files[path] = data;
    delete this.marks[path];
    this.render();
  }

  remove(path) {
    delete this.files[path];
    this.render();
    if (this.opened === path) this.close();
  }

  async addUploads(fileList) {
    for (const file of fileList) this.add(`/data/${file.name}`, new Uint8Array(await file.arrayBuffer()));
  }

  // ---- the tree

  render() {
    for (const url of this.urls) URL.revokeObjectURL(url);
    this.urls = [];
    const root = new Map();
    for (const path of Object.keys(this.files).sort()) {
      const parts = path.split("/").filter(Boolean);
      let level = root;
      for (const directory of parts.slice(0, -1)) {
        if (!level.has(`${directory}/`)) level.set(`${directory}/`, new Map());
        level = level.get(`${directory}/`);
      }
      level.set(parts.at(-1), path);
    }
    this.el.list.replaceChildren(...this.items(root));
  }

  items(level) {
    return [...level].map(([name, entry]) => {
      if (entry instanceof Map) {
        const item = Object.assign(document.createElement("li"), { className: "dir" });
        const list = document.createElement("ul");
        list.append(...this.items(entry));
        item.append(Object.assign(document.createElement("span"), { textContent: name }), list);
        return item;
      }
      return this.fileItem(name, entry);
    });
  }

  fileItem(name, path) {
    const data = this.files[path];
    const item = document.createElement("li");
    item.dataset.path = path;
    item.classList.toggle("open", path === this.opened);
    const open = Object.assign(document.createElement("button"), { className: "name", textContent: name, title: `view ${path}` });
    open.onclick = () => {
      this.open(path);
      this.onOpen(path);
    };
    const badge = Object.assign(document.createElement("span"), { className: "badge", textContent: this.marks[path] ?? "" });
    const size = Object.assign(document.createElement("span"), { className: "size", textContent: formatSize(data.length) });
    const download = this.downloadLink(path);
    download.textContent = "⤓";
    const remove = Object.assign(document.createElement("button"), { className: "remove", textContent: "×", title: `remove ${path}` });
    remove.onclick = () => this.remove(path);
    item.append(open, badge, size, download, remove);
    return item;
  }

  /** A link that downloads the file; its URL is revoked at the next redraw unless `kept`. */
  downloadLink(path, link = document.createElement("a"), { kept = false } = {}) {
    const url = URL.createObjectURL(new Blob([this.files[path]]));
    if (!kept) this.urls.push(url);
    return Object.assign(link, { href: url, download: path.split("/").pop(), title: `download ${path}` });
  }

  // ---- viewer and editor

  open(path) {
    this.opened = path;
    const { editor, hex, empty, state, download } = this.el;
    const data = this.files[path];
    this.el.path.textContent = path;
    const text = asText(data);
    editor.hidden = text === null;
    hex.hidden = text !== null;
    empty.hidden = true;
    download.hidden = false;
    this.downloadLink(path, download);
    if (text !== null) {
      editor.value = text;
      state.textContent = "text: edits apply to the next run";
    } else {
      hex.textContent = hexDump(data.subarray(0, HEX_BYTES));
      state.textContent = `binary, ${formatSize(data.length)}${data.length > HEX_BYTES ? `: the first ${formatSize(HEX_BYTES)}` : ""}`;
    }
    for (const item of this.el.list.querySelectorAll("li[data-path]")) item.classList.toggle("open", item.dataset.path === path);
  }

  close() {
    this.opened = null;
    Object.assign(this.el.path, { textContent: "no file open" });
    this.el.editor.hidden = this.el.hex.hidden = this.el.download.hidden = true;
    this.el.empty.hidden = false;
    this.el.state.textContent = "";
  }

  edited() {
    const path = this.opened;
    if (path === null) return;
    this.files[path] = new TextEncoder().encode(this.el.editor.value);
    this.marks[path] = "edited";
    this.el.state.textContent = "edited: the next run sees this";
    const item = this.el.list.querySelector(`li[data-path="${CSS.escape(path)}"]`);
    this.downloadLink(path, this.el.download); // the links download what the editor now holds
    if (item) {
      item.querySelector(".badge").textContent = "edited";
      item.querySelector(".size").textContent = formatSize(this.files[path].length);
      this.downloadLink(path, item.querySelector("a"));
    }
  }

  // ---- drag and drop: on the drop zone or anywhere on the page

  acceptDrops(zone) {
    const body = document.body;
    const hasFiles = (event) => [...(event.dataTransfer?.types ?? [])].includes("Files");
    body.addEventListener("dragover", (event) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      body.classList.add("dragging");
    });
    body.addEventListener("dragleave", (event) => {
      if (event.relatedTarget === null) body.classList.remove("dragging");
    });
    body.addEventListener("drop", async (event) => {
      body.classList.remove("dragging");
      if (!hasFiles(event)) return;
      event.preventDefault();
      await this.dropped([...event.dataTransfer.files]);
    });
    zone.addEventListener("dragenter", () => zone.classList.add("over"));
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", () => zone.classList.remove("over"));
  }

  /** A dropped .wasm module becomes the program; anything else goes to /data. */
  async dropped(files) {
    for (const file of files) {
      const data = new Uint8Array(await file.arrayBuffer());
      if (WASM_MAGIC.every((byte, index) => data[index] === byte)) this.onWasm(file.name, data);
      else this.add(`/data/${file.name}`, data);
    }
  }
}

function sameBytes(a, b) {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

/** The file as text when it is UTF-8 without NUL bytes, else null (shown as hex). */
export function asText(data) {
  if (data.includes(0)) return null;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(data);
  } catch {
    return null;
  }
}

function hexDump(data) {
  const lines = [];
  for (let offset = 0; offset < data.length; offset += 16) {
    const row = data.subarray(offset, offset + 16);
    const hex = [...row].map((byte) => byte.toString(16).padStart(2, "0")).join(" ");
    const ascii = [...row].map((byte) => (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : ".")).join("");
    lines.push(`${offset.toString(16).padStart(8, "0")}  ${hex.padEnd(47)}  ${ascii}`);
  }
  return lines.join("\n");
}

function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  return bytes < 1 << 20 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / (1 << 20)).toFixed(1)} MiB`;
}
