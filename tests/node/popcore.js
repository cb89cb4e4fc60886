// The RPC client most Node code uses (@alicloud/pop-core: signature v1, JSON) against a running mockecs server.
//   node popcore.js http://127.0.0.1:PORT GET|POST [accessKeyId accessKeySecret]
// GET puts every parameter in the query; POST sends them as a form body. Prints one JSON object: what each
// step returned (or the error's code), and exits 0.
'use strict';

const RPCClient = require('@alicloud/pop-core').RPCClient;

async function step(results, name, fn) {
  try {
    results[name] = await fn();
  } catch (err) {
    results[name] = { error: err.code || String(err), data: err.data };
  }
}

async function main() {
  const endpoint = process.argv[2] || 'http://127.0.0.1:8470';
  const method = process.argv[3] || 'GET';
  const client = new RPCClient({
    endpoint,
    apiVersion: '2014-05-26',
    accessKeyId: process.argv[4] || 'pop-access-key-id',
    accessKeySecret: process.argv[5] || 'pop-access-key-secret',
  });
  const call = (action, params) => client.request(action, params, { method, timeout: 10000 });
  const results = {};
  await step(results, 'describeRegions', async () => {
    const resp = await call('DescribeRegions', {});
    return { requestId: resp.RequestId, regions: resp.Regions.Region.map((r) => r.RegionId) };
  });
  await step(results, 'describeSystemImages', async () => {
    const resp = await call('DescribeImages', { RegionId: 'cn-hangzhou', ImageOwnerAlias: 'system', PageSize: 5 });
    return { totalCount: resp.TotalCount, pageSize: resp.PageSize, imageIds: resp.Images.Image.map((i) => i.ImageId) };
  });
  await step(results, 'runInstances', async () => {
    const resp = await call('RunInstances', {
      RegionId: 'cn-hangzhou', ImageId: 'aliyun_3_x64_20G_alibase_20240819.vhd', InstanceType: 'ecs.g7.large',
      Tag: [{ Key: 'made-by', Value: 'pop-core' }] });
    return { instanceIds: resp.InstanceIdSets.InstanceIdSet };
  });
  const instanceId = (results.runInstances.instanceIds || [])[0];
  await step(results, 'createImage', async () => {
    const resp = await call('CreateImage', { RegionId: 'cn-hangzhou', InstanceId: instanceId,
      ImageName: `pop-core-${method.toLowerCase()}-image`, Description: 'made by pop-core (100% Node)' });
    return { imageId: resp.ImageId };
  });
  const imageId = results.createImage.imageId;
  await step(results, 'describeOwnImage', async () => {
    const resp = await call('DescribeImages', { RegionId: 'cn-hangzhou', ImageId: imageId, Status: 'Creating,Available' });
    const image = resp.Images.Image[0];
    return { totalCount: resp.TotalCount, imageName: image.ImageName, description: image.Description,
      imageOwnerAlias: image.ImageOwnerAlias, size: image.Size };
  });
  await step(results, 'badAlias', async () => {
    await call('DescribeImages', { RegionId: 'cn-hangzhou', ImageOwnerAlias: 'nobody' });
    return { unexpected: 'success' };
  });
  await step(results, 'deleteImage', async () => {
    const resp = await call('DeleteImage', { RegionId: 'cn-hangzhou', ImageId: imageId });
    return { requestId: resp.RequestId };
  });
  await step(results, 'deleteInstance', async () => {
    const resp = await call('DeleteInstance', { InstanceId: instanceId, Force: true });
    return { requestId: resp.RequestId };
  });
  process.stdout.write(JSON.stringify(results) + '\n');
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err) + '\n');
  process.exit(1);
});
