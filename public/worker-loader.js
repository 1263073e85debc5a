// Starts the verification worker: wasm-bindgen's no-modules glue, then the
// module (with the single-object form wasm-bindgen asks for).
importScripts('./worker.js');
wasm_bindgen({ module_or_path: './worker_bg.wasm' });
