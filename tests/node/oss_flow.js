// Node's OSS SDK (ali-oss), unchanged, with mockecs server as its endpoint: for an IP endpoint ali-oss sends the
// virtual host (Host: <bucket>.oss-<region>.aliyuncs.com) and the object's path, as to an OSS address;
// the upload half of an image pipeline and the download half, and OSS's refusals. Prints one JSON line of what
// it saw; tests/test_node_oss.py checks it and imports the uploaded object with the Python ECS SDK.
//   node oss_flow.js '{"endpoint": "http://127.0.0.1:PORT", "accessKeyId": "...", "accessKeySecret": "...",
//                      "bucket": "...", "v4": false, "disk": "/path/to/disk.raw"}'
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const OSS = require('ali-oss');

const config = JSON.parse(process.argv[2]);

function client(extra) {
  return new OSS({
    endpoint: config.endpoint, region: 'oss-cn-hangzhou', secure: false,
    accessKeyId: config.accessKeyId, accessKeySecret: config.accessKeySecret, bucket: config.bucket,
    authorizationV4: Boolean(config.v4), timeout: 30000, ...(extra || {}),
  });
}

function refusal(err) {
  return { status: err.status, code: err.code, requestId: err.requestId || null, name: err.name };
}

async function refused(promise) {
  try {
    await promise;
  } catch (err) {
    return refusal(err);
  }
  return null;
}

function fetch(url) {  // a presigned URL, read by plain http through the server as an HTTP proxy: no SDK between
  const proxy = new URL(config.endpoint);
  return new Promise((resolve, reject) => {
    http.get({ host: proxy.hostname, port: proxy.port, path: url, headers: { host: new URL(url).host } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

async function main() {
  const oss = client();
  const seen = {};
  const put = await oss.putBucket(config.bucket);
  seen.putBucket = put.res.status;
  const small = Buffer.from('a small object');
  const putSmall = await oss.put('notes/readme.txt', small, { headers: { 'x-oss-meta-build': '42' },
    mime: 'text/plain' });
  seen.putSmall = { status: putSmall.res.status, etag: putSmall.res.headers.etag,
    md5: crypto.createHash('md5').update(small).digest('hex').toUpperCase(),
    requestId: putSmall.res.headers['x-oss-request-id'] || null };
  const got = await oss.get('notes/readme.txt');
  seen.get = { status: got.res.status, body: got.content.toString(), type: got.res.headers['content-type'],
    meta: got.res.headers['x-oss-meta-build'] };
  const head = await oss.head('notes/readme.txt');
  seen.head = { status: head.status, length: Number(head.res.headers['content-length']), meta: head.meta };
  const range = await oss.get('notes/readme.txt', { headers: { Range: 'bytes=2-6' } });
  seen.range = { status: range.res.status, body: range.content.toString() };

  // A disk image, in parts (ali-oss' multipartUpload: initiate, upload parts two at a time, complete).
  const disk = fs.readFileSync(config.disk);
  const multi = await oss.multipartUpload('builds/disk.raw', disk, { partSize: 100 * 1024, parallel: 2 });
  seen.multipart = { status: multi.res.status, etag: multi.etag || (multi.res.headers || {}).etag || null };
  const back = await oss.get('builds/disk.raw');
  seen.multipartBack = { same: Buffer.compare(back.content, disk) === 0, length: back.content.length,
    crc: back.res.headers['x-oss-hash-crc64ecma'] || null };

  const copied = await oss.copy('builds/copy.raw', 'builds/disk.raw');
  seen.copy = copied.res.status;
  await oss.put('builds/extra/log.txt', Buffer.from('log'));
  const v1 = await oss.list({ prefix: 'builds/', delimiter: '/', 'max-keys': 10 });
  seen.list = { keys: (v1.objects || []).map((o) => o.name), prefixes: v1.prefixes || [],
    sizes: (v1.objects || []).map((o) => o.size) };
  const v2 = await oss.listV2({ prefix: 'builds/', 'max-keys': 1 });
  const next = await oss.listV2({ prefix: 'builds/', 'max-keys': 10,
    'continuation-token': v2.nextContinuationToken });
  seen.listV2 = { first: (v2.objects || []).map((o) => o.name), truncated: v2.isTruncated,
    rest: (next.objects || []).map((o) => o.name) };

  // (ali-oss signs no URL for an IP endpoint: the URL OSS's own address would have, fetched through the proxy)
  const signer = new OSS({ region: 'oss-cn-hangzhou', secure: false, bucket: config.bucket,
    accessKeyId: config.accessKeyId, accessKeySecret: config.accessKeySecret, authorizationV4: Boolean(config.v4) });
  const url = signer.signatureUrl('notes/readme.txt', { expires: 60 });
  seen.presignedUrl = url;
  const presigned = await fetch(url);
  seen.presigned = { status: presigned.status, body: presigned.body.toString() };

  seen.noSuchKey = await refused(oss.get('notes/missing.txt'));
  seen.noSuchBucket = await refused(client({ bucket: 'no-such-bucket-here' }).get('x'));
  seen.badSecret = await refused(client({ accessKeySecret: 'wrong' }).get('notes/readme.txt'));
  seen.bucketExists = await refused(oss.putBucket(config.bucket));

  const removed = await oss.deleteMulti(['builds/copy.raw', 'builds/extra/log.txt'], { quiet: false });
  seen.deleteMulti = { status: removed.res.status, deleted: (removed.deleted || []).map((d) => d.Key || d) };
  await oss.delete('notes/readme.txt');
  seen.afterDelete = await refused(oss.head('notes/readme.txt'));
  console.log(JSON.stringify(seen));
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : err);
  process.exit(1);
});
