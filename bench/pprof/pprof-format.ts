/** Reference point for the pprof bench: the pprof-format library decoding the same profile (decode only). */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';

const path = process.argv[2];
if (path === undefined) {
  process.stderr.write('usage: pprof-format.ts <profile>\n');
  process.exit(2);
}
const profile = Profile.decode(gunzipSync(readFileSync(path)));
process.stdout.write(`${profile.sample.length} samples\n`);
