// sigstore-js (the library npm's CLI verifies with) on the same bundles as
// our benchmarks: parse the bundle, build the signed entity, verify it
// against the public-good trusted root and npm's key. Prints
// `BENCH name median_ms` lines.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';

const fixtures = process.env.NPM_PROVENANCE_FIXTURES || path.resolve(new URL('.', import.meta.url).pathname, '../tests/fixtures');
const root = TrustedRoot.fromJSON(JSON.parse(readFileSync(path.join(fixtures, 'trust/trusted_root.json'), 'utf8')));
const npmKey = 'SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA';
const keys = {
  [npmKey]: {
    rawBytes: Buffer.from('MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE1Olb3zMAFFxXKHiIkQO5cJ3Yhl5i6UPp+IhuteBJbuHcA5UogKo0EWtlWwW6KSaKoTNEYL7JlCQiVnkhBktUgg==', 'base64'),
    keyDetails: 'PKIX_ECDSA_P256_SHA_256',
    validFor: { start: new Date('2022-12-01T00:00:00Z'), end: new Date('2025-01-29T00:00:00Z') },
  },
};
const verifier = new Verifier(toTrustMaterial(root, keys));
const response = JSON.parse(readFileSync(path.join(fixtures, 'attestations/sigstore@2.3.1.json'), 'utf8'));
const [publish, provenance] = response.attestations.map((a) => JSON.stringify(a.bundle));

function verify(json) {
  verifier.verify(toSignedEntity(bundleFromJSON(JSON.parse(json))));
}

function median(run, samples = 40) {
  const times = [];
  for (let i = 0; i < samples; i++) {
    const start = process.hrtime.bigint();
    run();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

// Warm up on every case for 2 s first, as every column of the table does:
// the JIT's optimised code, not its compiler, is what gets measured.
const warmUntil = Date.now() + 2000;
while (Date.now() < warmUntil) {
  verify(provenance);
  verify(publish);
}

console.log(`BENCH provenance_bundle ${median(() => verify(provenance)).toFixed(3)}`);
console.log(`BENCH publish_bundle ${median(() => verify(publish)).toFixed(3)}`);
console.log(`BENCH package_version ${median(() => { verify(provenance); verify(publish); }).toFixed(3)}`);
