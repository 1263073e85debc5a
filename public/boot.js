// Starts the app's wasm module. A file rather than an inline script, so that
// the Content-Security-Policy can forbid inline scripts altogether.
const script = document.querySelector('script[data-wasm-js]');
const { default: init } = await import(script.dataset.wasmJs);
await init({ module_or_path: script.dataset.wasm });
