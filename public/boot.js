// Starts the app's wasm module. A file rather than an inline script, so that
// the Content-Security-Policy can forbid inline scripts altogether.
//
// On a first visit to the home page the module is not downloaded: the page
// shows the home page's words from index.html (its templates), and the app
// takes over when the visitor does something that needs it: a search, a link,
// the registry setting. Reading the home page then costs about a tenth of the
// bytes; anything else starts the app as before.
const script = document.querySelector('script[data-wasm-js]');

let compiled = null;
/** Fetches and compiles the module (once); nothing runs yet. */
function prepare() {
  compiled ??= (async () => {
    const glue = import(script.dataset.wasmJs);
    const response = fetch(script.dataset.wasm);
    let module;
    try {
      module = await WebAssembly.compileStreaming(response);
    } catch (e) {
      // A host that serves .wasm without its media type: compile from bytes.
      if (!(e instanceof TypeError)) throw e;
      module = await WebAssembly.compile(await (await response).arrayBuffer());
    }
    return { init: (await glue).default, module };
  })();
  return compiled;
}

async function start() {
  const { init, module } = await prepare();
  await init({ module_or_path: module });
}

// Inside another site's frame the page could be dressed up to mislead (a
// verdict under someone else's words, clicks aimed for them). A server
// sends `frame-ancestors 'none'`; a static host may send no header, and a
// <meta> CSP cannot carry that directive, so the page refuses to run framed
// and offers to open itself whole.
const framed = (() => {
  try {
    return window.top !== window.self;
  } catch {
    return true;
  }
})();

const home = document.getElementById('static-home');
if (framed) {
  refuseFrame();
} else if (location.pathname === '/' && home) {
  showHome(home);
} else {
  if (/^\/(package|inspect|search)(\/|$)/.test(location.pathname)) startVerifier();
  await start();
}

// Pages that verify start the verification worker now, so that its module
// downloads and compiles beside the app's instead of after it (the app
// would start it only once its own module ran). The app adopts it
// (src/verifier.rs, `adopt_started`) with the messages it sent meanwhile:
// a worker's message with no handler yet would be lost.
function startVerifier() {
  try {
    // The server's trust configuration, when it announces one: the worker
    // begins its TUF refresh at once (src/worker/tuf.rs, `begin_early`).
    const trust = document.querySelector('meta[name="npm-provenance-trust"]')?.content;
    const worker = new Worker('/worker-loader.js', trust ? { name: `trust=${trust}` } : {});
    const early = [];
    worker.onmessage = (event) => early.push(event.data);
    worker.onerror = (event) => early.push({ error: event.message || 'the worker could not start' });
    window.npmProvenanceWorker = { worker, early };
  } catch {
    // The app starts its own.
  }
}

function refuseFrame() {
  const main = document.createElement('main');
  main.dataset.testid = 'framed';
  const p = document.createElement('p');
  p.textContent = 'This page does not run inside another site\'s frame. ';
  const a = document.createElement('a');
  a.href = location.href;
  a.target = '_top';
  a.rel = 'noopener';
  a.textContent = 'Open it on its own';
  p.append(a);
  main.append(p);
  document.body.replaceChildren(main);
}

function showHome(template) {
  const nodes = [...template.content.cloneNode(true).children];
  const part = (name) => nodes.map((n) => n.querySelector(`[data-boot="${name}"]`)).find(Boolean);
  for (const name of ['intro', 'more']) {
    part(name).append(document.getElementById(`home-${name}`).content.cloneNode(true));
  }
  const form = part('search');
  const input = form.querySelector('input');
  const status = part('status');
  document.body.append(...nodes);
  input.focus();

  // A registry chosen by a link applies to the page it opens, where the app
  // says so; a remembered one the app applies by itself.
  const registry = new URLSearchParams(location.search).get('registry');
  const target = (url) => {
    if (registry) url.searchParams.set('registry', registry);
    return url;
  };

  let busy = false;
  // The app takes over at `url` (pushed onto the history, so Back returns
  // here) and `then` runs once it has rendered.
  const takeOver = async (url, then) => {
    if (busy) return;
    busy = true;
    status.textContent = 'Loading…';
    document.body.setAttribute('aria-busy', 'true');
    try {
      await prepare();
    } catch (e) {
      busy = false;
      compiled = null;
      document.body.removeAttribute('aria-busy');
      status.textContent = `The app could not be loaded (${e.message}). Check the connection and try again.`;
      return;
    }
    if (url) history.pushState(null, '', url);
    await start();
    for (const node of nodes) node.remove();
    document.body.removeAttribute('aria-busy');
    then();
  };
  const focusMain = () => document.getElementById('main')?.focus();

  // Someone is about to look a package up: fetch and compile the app now,
  // and fetch the verifier's module into the cache (as the app's own search
  // box does by starting its worker, which loads it from beside this file).
  input.addEventListener('input', () => {
    prepare().catch(() => {});
    const verifier = document.createElement('link');
    verifier.rel = 'prefetch';
    verifier.href = new URL('worker_bg.wasm', import.meta.url).href;
    document.head.append(verifier);
  }, { once: true });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    // The app reads the words and goes on to the package (or says what is
    // wrong with them): one rule for what a search means, the app's.
    const url = target(new URL('/search', location.href));
    url.searchParams.set('q', input.value);
    takeOver(url, () => {});
  });
  for (const node of nodes) {
    node.addEventListener('click', (event) => {
      const link = event.target.closest('a[href]');
      if (!link || link.getAttribute('href').startsWith('#')) return;
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      const url = new URL(link.href);
      if (url.origin !== location.origin) return;
      event.preventDefault();
      takeOver(target(url), focusMain);
    });
  }
  part('registry').querySelector('summary').addEventListener('click', (event) => {
    event.preventDefault();
    takeOver(null, () => {
      const settings = document.querySelector('details.registry-settings');
      if (settings) settings.open = true;
      document.getElementById('registry-url')?.focus();
    });
  });
}
