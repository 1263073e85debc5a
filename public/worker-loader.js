// Starts the verification worker: wasm-bindgen's no-modules glue, then the
// module (with the single-object form wasm-bindgen asks for). The module is
// asked for before the glue, not after it: one round trip fewer before the
// largest download of a first visit begins (the glue awaits the response
// and compiles it as it streams).
const wasm = fetch('./worker_bg.wasm');
importScripts('./worker.js');
wasm_bindgen({ module_or_path: wasm });
