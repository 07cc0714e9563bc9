/**
 * `npx tsx bench/personal-data.bench.ts`: what crypto-shredding adds per order (bench/cost/personal-data.ts),
 * printed as a Markdown table: the keys table modelled per case, the cipher's CPU measured here.
 */

import { PRICES } from './cost/model.ts';
import { peerArithmetic } from './cost/peers.ts';
import { measureCipherMicros, modelPersonalData } from './cost/personal-data.ts';

const MEMORY_GB = 256 / 1024;
const { protectMicros, revealMicros } = await measureCipherMicros();
const cpuUsdPerMillion =
  ((protectMicros + revealMicros) / 1e6) * MEMORY_GB * PRICES['lambda.gbSecondArm64'].usd * 1e6;
const lines = [
  '| case | basis | arithmetic | $/M orders |',
  '| --- | --- | --- | ---: |',
  ...modelPersonalData().map(
    (p) =>
      `| ${p.design} | ${p.basis} | ${p.items.length === 0 ? 'no keys table request' : peerArithmetic(p)} | ${p.usdPerMillion.toFixed(3)} |`,
  ),
  `| cipher CPU (encrypt at intake + decrypt at one channel) | measured | ${protectMicros.toFixed(1)} µs + ${revealMicros.toFixed(1)} µs at 256 MB arm64 | ${cpuUsdPerMillion.toFixed(4)} |`,
];
process.stdout.write(`${lines.join('\n')}\n`);
