"""WebAssembly engines: compile a module, link host functions, run it. One per host platform."""
