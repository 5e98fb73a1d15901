"""WASI Preview 1 constants, struct layouts and function signatures: data only, no behaviour."""
