"""The wasi_snapshot_preview1 ABI: decode guest memory, call the kernel, encode results."""
