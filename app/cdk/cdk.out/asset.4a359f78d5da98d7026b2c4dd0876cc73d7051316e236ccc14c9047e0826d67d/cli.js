// node cli.js <in> <out> [width] [height]: one thumbnail with makeThumbnail, no AWS (tests, benchmarks).
'use strict';
const fs = require('fs');
const { makeThumbnail } = require('./index.js');

const [input, output, width = '512', height = '512'] = process.argv.slice(2);
makeThumbnail(fs.readFileSync(input), parseInt(width, 10), parseInt(height, 10))
  .then((buffer) => fs.writeFileSync(output, buffer))
  .catch((err) => { console.error(err.message); process.exit(1); });
