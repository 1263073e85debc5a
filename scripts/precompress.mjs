// Writes NAME.br beside each script, wasm module, style sheet and image of a
// release build, compressed with brotli at quality 11. `npm-provenance serve`
// sends it to browsers that accept brotli (after checking it decodes to the
// file); it is too slow to make at the server's start. index.html is left
// out: the server rewrites it.
//
//   node scripts/precompress.mjs DIR
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node scripts/precompress.mjs DIR');
  process.exit(2);
}
let raw = 0;
let compressed = 0;
for (const name of readdirSync(dir)) {
  if (name.endsWith('.br')) rmSync(join(dir, name));
}
for (const name of readdirSync(dir)) {
  if (!/\.(wasm|js|css|svg)$/.test(name)) continue;
  const body = readFileSync(join(dir, name));
  const br = brotliCompressSync(body, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_LGWIN]: 22,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  });
  if (br.length >= body.length) continue;
  writeFileSync(join(dir, `${name}.br`), br);
  raw += body.length;
  compressed += br.length;
}
console.log(`precompressed ${raw} bytes to ${compressed} (brotli 11)`);
