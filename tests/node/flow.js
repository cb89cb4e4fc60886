// A small flow through the official Node.js ECS SDK against a running mockecs server.
//   node flow.js http://127.0.0.1:PORT [accessKeyId accessKeySecret]
// Prints one JSON object: what each step returned (or the SDK error's code), and exits 0.
'use strict';

const Ecs = require('@alicloud/ecs20140526');
const { $OpenApiUtil } = require('@alicloud/openapi-core');

async function step(results, name, fn) {
  try {
    results[name] = await fn();
  } catch (err) {
    results[name] = { error: err.code || String(err), statusCode: err.statusCode, message: err.message };
  }
}

async function main() {
  const url = new URL(process.argv[2] || 'http://127.0.0.1:8470');
  const client = new Ecs.default(new $OpenApiUtil.Config({
    endpoint: url.host,
    protocol: url.protocol.replace(':', '').toUpperCase(),
    accessKeyId: process.argv[3] || 'node-access-key-id',
    accessKeySecret: process.argv[4] || 'node-access-key-secret',
    regionId: 'cn-hangzhou',
  }));
  const results = {};
  await step(results, 'describeRegions', async () => {
    const resp = await client.describeRegions(new Ecs.DescribeRegionsRequest({ acceptLanguage: 'en-US' }));
    return { statusCode: resp.statusCode, regions: resp.body.regions.region.map((r) => r.regionId) };
  });
  await step(results, 'describeZones', async () => {
    const resp = await client.describeZones(new Ecs.DescribeZonesRequest({ regionId: 'cn-beijing', verbose: false }));
    return { statusCode: resp.statusCode, zones: resp.body.zones.zone.map((z) => z.zoneId) };
  });
  await step(results, 'badRegion', async () => {
    await client.describeZones(new Ecs.DescribeZonesRequest({ regionId: 'nowhere-1' }));
    return { unexpected: 'success' };
  });
  process.stdout.write(JSON.stringify(results) + '\n');
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err) + '\n');
  process.exit(1);
});
