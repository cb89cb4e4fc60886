// A small flow through the official Node.js ECS SDK against a running mockecs server.
//   node flow.js http://127.0.0.1:PORT [accessKeyId accessKeySecret]
// Prints one JSON object: what each step returned (or the SDK error's code), and exits 0.
'use strict';

const Ecs = require('@alicloud/ecs20140526');
const { $OpenApiUtil } = require('@alicloud/openapi-core');
const { step } = require('./step');

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
  // An image's whole life: describe the public catalog, launch, image the instance, find it, delete it.
  await step(results, 'describeSystemImages', async () => {
    const resp = await client.describeImages(new Ecs.DescribeImagesRequest({
      regionId: 'cn-hangzhou', imageOwnerAlias: 'system', osType: 'linux', pageSize: 5 }));
    return { statusCode: resp.statusCode, totalCount: resp.body.totalCount,
      imageIds: resp.body.images.image.map((i) => i.imageId) };
  });
  await step(results, 'runInstances', async () => {
    const resp = await client.runInstances(new Ecs.RunInstancesRequest({
      regionId: 'cn-hangzhou', imageId: 'aliyun_3_x64_20G_alibase_20240819.vhd', instanceType: 'ecs.g7.large' }));
    return { statusCode: resp.statusCode, instanceIds: resp.body.instanceIdSets.instanceIdSet };
  });
  const instanceId = (results.runInstances.instanceIds || [])[0];
  await step(results, 'createImage', async () => {
    const resp = await client.createImage(new Ecs.CreateImageRequest({
      regionId: 'cn-hangzhou', instanceId, imageName: 'node-built-image', imageFamily: 'node-family',
      tag: [new Ecs.CreateImageRequestTag({ key: 'made-by', value: 'node sdk' })] }));
    return { statusCode: resp.statusCode, imageId: resp.body.imageId };
  });
  const imageId = results.createImage.imageId;
  await step(results, 'describeOwnImage', async () => {
    const resp = await client.describeImages(new Ecs.DescribeImagesRequest({
      regionId: 'cn-hangzhou', imageId, imageOwnerAlias: 'self' }));
    const image = resp.body.images.image[0] || {};
    return { statusCode: resp.statusCode, totalCount: resp.body.totalCount, imageName: image.imageName,
      status: image.status, imageFamily: image.imageFamily, size: image.size,
      tags: ((image.tags || {}).tag || []).map((t) => [t.tagKey, t.tagValue]) };
  });
  await step(results, 'deleteImage', async () => {
    const resp = await client.deleteImage(new Ecs.DeleteImageRequest({ regionId: 'cn-hangzhou', imageId }));
    return { statusCode: resp.statusCode, requestId: resp.body.requestId };
  });
  await step(results, 'describeDeleted', async () => {
    const resp = await client.describeImages(new Ecs.DescribeImagesRequest({
      regionId: 'cn-hangzhou', imageId, status: 'Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated' }));
    return { statusCode: resp.statusCode, totalCount: resp.body.totalCount };
  });
  await step(results, 'deleteMissingImage', async () => {
    await client.deleteImage(new Ecs.DeleteImageRequest({ regionId: 'cn-hangzhou', imageId }));
    return { unexpected: 'success' };
  });
  process.stdout.write(JSON.stringify(results) + '\n');
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err) + '\n');
  process.exit(1);
});
