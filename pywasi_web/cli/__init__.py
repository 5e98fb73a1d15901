"""The `pywasi-web` command line (CPython)."""
