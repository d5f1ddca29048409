// Median time of makeThumbnail (sharp) per image over 10 runs, in-process: {"<path>": ms, ...}.
'use strict';
const fs = require('fs');
const { makeThumbnail } = require('../app/thumbnail_node/index.js');

async function main() {
  const result = {};
  for (const file of process.argv.slice(2)) {
    const data = fs.readFileSync(file);
    await makeThumbnail(data, 512, 512); // warm-up: libvips initialisation is not per-image work
    const runs = [];
    for (let i = 0; i < 10; i++) {
      const started = process.hrtime.bigint();
      await makeThumbnail(data, 512, 512);
      runs.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    runs.sort((a, b) => a - b);
    result[file] = runs[5];
  }
  process.stdout.write(JSON.stringify(result));
}
main().catch((e) => { console.error(e); process.exit(1); });
