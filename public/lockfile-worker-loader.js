// Starts the lockfile reader (the audit page's): wasm-bindgen's no-modules
// glue, then the module, asked for first as in worker-loader.js.
const wasm = fetch('./lockfile-worker_bg.wasm');
importScripts('./lockfile-worker.js');
wasm_bindgen({ module_or_path: wasm });
