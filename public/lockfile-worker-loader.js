// Starts the lockfile reader (the audit page's): wasm-bindgen's no-modules
// glue, then the module.
importScripts('./lockfile-worker.js');
wasm_bindgen({ module_or_path: './lockfile-worker_bg.wasm' });
