"""The WASI 0.2 interfaces over the same kernel, vfs and net as Preview 1 (see host.wasi_imports)."""
