"""What only the browser worker needs beside the engine: persistent stores (IndexedDB, OPFS), the
socket transports (WebSocket and fetch), and the page relay with its shared channel for Atomics mode.

Above engines/ (it may use the JS engine's helpers), below web/pywasi_worker.py; nothing in the
kernel, vfs, net or preview layers imports it.
"""
