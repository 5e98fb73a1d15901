"""Browser benchmarks: pywasi_web's worker against browser_wasi_shim's, in one Chromium page."""
