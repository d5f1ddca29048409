// Thumbnail Lambda (Cruddur "process-images"), the seed's Node + sharp implementation.
// S3 ObjectCreated event -> read the upload -> 512x512 JPEG -> `<FOLDER_OUTPUT>/<basename>.jpg` in
// DEST_BUCKET_NAME (system.md "Thumbnail rule"). Encoded fully before anything is written.
'use strict';
const path = require('path');
const sharp = require('sharp');
const { S3Client, GetObjectCommand, PutObjectCommand } = require('@aws-sdk/client-s3');

const s3 = new S3Client({ forcePathStyle: true }); // the SDK reads AWS_ENDPOINT_URL itself

// PROCESS_WIDTH / PROCESS_HEIGHT arrive as strings: parse strictly (system.md bug 10).
function dimension(name) {
  const value = process.env[name] ?? '';
  const parsed = /^\d+$/.test(value) ? parseInt(value, 10) : NaN;
  if (!(parsed > 0)) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
  return parsed;
}

// S3 event keys are URL-encoded with `+` for space (behaviour.md "S3"; system.md bug 11).
function sourceKey(record) {
  return decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
}

// `<FOLDER_OUTPUT>/<basename without extension>.jpg`: the source folder is dropped.
function outputKey(key) {
  return `${process.env.FOLDER_OUTPUT}/${path.posix.parse(key).name}.jpg`;
}

async function makeThumbnail(buffer, width, height) {
  return sharp(buffer, { failOn: 'truncated' })
    .rotate() // EXIF orientation
    .resize(width, height, { fit: 'cover', position: 'centre' })
    .flatten({ background: '#ffffff' }) // alpha on white, as the Pillow implementation
    .toColourspace('srgb')
    .jpeg({ quality: 80, chromaSubsampling: '4:2:0' })
    .toBuffer();
}

async function handler(event) {
  const started = Date.now();
  const width = dimension('PROCESS_WIDTH');
  const height = dimension('PROCESS_HEIGHT');
  const record = event.Records[0];
  const bucket = record.s3.bucket.name;
  const key = sourceKey(record);
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const data = Buffer.from(await object.Body.transformToByteArray());
  let thumbnail;
  try {
    thumbnail = await makeThumbnail(data, width, height);
  } catch (err) {
    throw new Error(`cannot make a thumbnail of s3://${bucket}/${key} (${data.length} bytes): ${err.message}`);
  }
  const destination = process.env.DEST_BUCKET_NAME;
  const target = outputKey(key);
  await s3.send(new PutObjectCommand({ Bucket: destination, Key: target, Body: thumbnail, ContentType: 'image/jpeg' }));
  const ms = Date.now() - started;
  console.log(`thumbnail s3://${bucket}/${key} -> s3://${destination}/${target} ${width}x${height} ${thumbnail.length} bytes in ${ms} ms`);
  return { source: `s3://${bucket}/${key}`, destination: `s3://${destination}/${target}`, bytes: thumbnail.length, width, height, ms };
}

module.exports = { handler, makeThumbnail, dimension, sourceKey, outputKey };
