// Writes NAME.br (brotli, quality 11) and NAME.gz (gzip, level 9) beside each
// script, wasm module, style sheet and image of a release build, so that any
// static host (and `npm-provenance serve`) can send the smallest form a
// browser accepts without compressing on every request. index.html is left
// out: the server rewrites it.
//
//   node scripts/precompress.mjs DIR
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node scripts/precompress.mjs DIR');
  process.exit(2);
}
let raw = 0;
let compressed = 0;
for (const name of readdirSync(dir)) {
  if (name.endsWith('.br') || name.endsWith('.gz')) rmSync(join(dir, name));
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
  const gz = gzipSync(body, { level: 9 });
  if (gz.length < body.length) writeFileSync(join(dir, `${name}.gz`), gz);
  if (br.length >= body.length) continue;
  writeFileSync(join(dir, `${name}.br`), br);
  raw += body.length;
  compressed += br.length;
}
console.log(`precompressed ${raw} bytes to ${compressed} (brotli 11), gzip beside`);
