// Older Node code's ECS client, aliyun-sdk's ALY.ECS (2014-05-26 as the package's API file froze it around 2017:
// callbacks, POST form bodies, signature v1, JSON; CreateInstance and StartInstance, no RunInstances), unchanged,
// against mockecs: run by tests/test_node_popcore.py.
//   node aly_ecs.js http://127.0.0.1:PORT [accessKeyId accessKeySecret]
// Prints one JSON object: each step's answer (or its error), and exits 0.
'use strict';

const ALY = require('aliyun-sdk');
const { poll, step: stepOf } = require('./step');

const ecs = new ALY.ECS({
  endpoint: process.argv[2] || 'http://127.0.0.1:8470',
  apiVersion: '2014-05-26',
  accessKeyId: process.argv[3] || 'aly-access-key-id',
  secretAccessKey: process.argv[4] || 'aly-access-key-secret',
});
const REGION = 'cn-hangzhou';

// Its operations take a callback; err has code, message and, for an answer from the service, statusCode.
const call = (op, params) => new Promise((resolve, reject) => {
  ecs[op](params, (err, data) => (err ? reject(err) : resolve(data)));
});

const results = {};

const step = (name, fn) => stepOf(results, name, fn);

async function refused(name, fn) {
  await step(name, async () => { await fn(); return { unexpected: 'success' }; });
}

async function main() {
  await step('describeRegions', async () => {
    const r = await call('describeRegions', {});
    return { regions: r.Regions.Region.map((x) => x.RegionId) };
  });
  if (results.describeRegions.error) return;
  await step('describeImages', async () => {
    const r = await call('describeImages', { RegionId: REGION, ImageOwnerAlias: 'system', OSType: 'linux', PageSize: 3 });
    return { totalCount: r.TotalCount, ids: r.Images.Image.map((i) => i.ImageId) };
  });
  // ECS's own CreateVpc and CreateVSwitch (the package has no VPC API); its CreateVSwitch, DescribeVSwitches,
  // DeleteVSwitch and DeleteVpc take no RegionId (the metadata makes it optional)
  await step('network', async () => {
    const vpc = await call('createVpc', { RegionId: REGION, CidrBlock: '172.16.0.0/12', VpcName: 'aly-vpc' });
    const vpcs = await poll(() => call('describeVpcs', { RegionId: REGION, VpcId: vpc.VpcId }),
      (a) => a.Vpcs.Vpc[0].Status, (a) => a.Vpcs.Vpc[0].Status === 'Available');
    const vsw = await call('createVSwitch', { VpcId: vpc.VpcId, ZoneId: 'cn-hangzhou-i', CidrBlock: '172.16.1.0/24' });
    const vsws = await poll(() => call('describeVSwitches', { VpcId: vpc.VpcId, VSwitchId: vsw.VSwitchId }),
      (a) => a.VSwitches.VSwitch[0].Status, (a) => a.VSwitches.VSwitch[0].Status === 'Available');
    const group = await call('createSecurityGroup', { RegionId: REGION, VpcId: vpc.VpcId, SecurityGroupName: 'aly-sg' });
    await call('authorizeSecurityGroup', { RegionId: REGION, SecurityGroupId: group.SecurityGroupId, IpProtocol: 'tcp',
      PortRange: '22/22', SourceCidrIp: '0.0.0.0/0' });
    return { vpcId: vpc.VpcId, vpcStatuses: vpcs.values, vSwitchId: vsw.VSwitchId, vSwitchStatuses: vsws.values, securityGroupId: group.SecurityGroupId };
  });
  const net = results.network;
  await step('createInstance', async () => {
    const r = await call('createInstance', { RegionId: REGION, ImageId: 'aliyun_3_x64_20G_alibase_20240819.vhd',
      InstanceType: 'ecs.g7.large', SecurityGroupId: net.securityGroupId, VSwitchId: net.vSwitchId,
      InstanceName: 'aly-builder', 'SystemDisk.Category': 'cloud_essd', 'DataDisk.1.Size': 20,
      'DataDisk.1.Category': 'cloud_essd', 'Tag.1.Key': 'made-by', 'Tag.1.Value': 'aliyun-sdk' });
    const describe = () => call('describeInstances', { RegionId: REGION, InstanceIds: JSON.stringify([r.InstanceId]) });
    const made = await poll(describe, (a) => a.Instances.Instance[0].Status,
      (a) => a.Instances.Instance[0].Status === 'Stopped');  // (a new instance is Pending, then Stopped)
    await call('startInstance', { InstanceId: r.InstanceId });
    const waited = await poll(describe, (a) => a.Instances.Instance[0].Status,
      (a) => a.Instances.Instance[0].Status === 'Running');
    const inst = waited.answer.Instances.Instance[0];
    return { instanceId: r.InstanceId, statuses: [...made.values, ...waited.values], vSwitchId: inst.VpcAttributes.VSwitchId,
      tags: inst.Tags.Tag.map((t) => [t.TagKey, t.TagValue]) };
  });
  const instanceId = results.createInstance.instanceId;
  await step('snapshot', async () => {
    const disks = await call('describeDisks', { RegionId: REGION, InstanceId: instanceId, DiskType: 'system' });
    const r = await call('createSnapshot', { DiskId: disks.Disks.Disk[0].DiskId, SnapshotName: 'aly-snap' });
    const waited = await poll(() => call('describeSnapshots', { RegionId: REGION, SnapshotIds: JSON.stringify([r.SnapshotId]) }),
      (a) => a.Snapshots.Snapshot[0].Status, (a) => a.Snapshots.Snapshot[0].Status === 'accomplished');
    return { snapshotId: r.SnapshotId, statuses: waited.values };
  });
  await step('image', async () => {
    const r = await call('createImage', { RegionId: REGION, SnapshotId: results.snapshot.snapshotId,
      ImageName: 'aly-image', Description: 'made by aliyun-sdk', 'Tag.1.Key': 'made-by', 'Tag.1.Value': 'aliyun-sdk' });
    const waited = await poll(() => call('describeImages', { RegionId: REGION, ImageId: r.ImageId,
      Status: 'Creating,Available' }), (a) => a.Images.Image[0].Status, (a) => a.Images.Image[0].Status === 'Available');
    const image = waited.answer.Images.Image[0];
    return { imageId: r.ImageId, statuses: waited.values, name: image.ImageName, size: image.Size,
      tags: image.Tags.Tag.map((t) => [t.TagKey, t.TagValue]) };
  });
  const imageId = results.image.imageId;
  await step('copyAndShare', async () => {
    const copy = await call('copyImage', { RegionId: REGION, ImageId: imageId, DestinationRegionId: 'cn-beijing',
      DestinationImageName: 'aly-copy' });
    await refused('deleteCopying', () => call('deleteImage', { RegionId: 'cn-beijing', ImageId: copy.ImageId }));
    const copied = await poll(() => call('describeImages', { RegionId: 'cn-beijing', ImageId: copy.ImageId,
      Status: 'Creating,Available' }), (a) => a.Images.Image[0].Status, (a) => a.Images.Image[0].Status === 'Available');
    await call('modifyImageSharePermission', { RegionId: REGION, ImageId: imageId, 'AddAccount.1': '5555555555555559' });
    const shared = await call('describeImageSharePermission', { RegionId: REGION, ImageId: imageId });
    await call('addTags', { RegionId: REGION, ResourceType: 'image', ResourceId: imageId, 'Tag.1.Key': 'release',
      'Tag.1.Value': '1' });
    const tags = await call('describeTags', { RegionId: REGION, ResourceType: 'image', ResourceId: imageId });
    return { copyId: copy.ImageId, copyStatuses: copied.values, accounts: shared.Accounts.Account.map((a) => a.AliyunId),
      tags: tags.Tags.Tag.map((t) => [t.TagKey, t.TagValue]).sort() };
  });
  await refused('badAlias', () => call('describeImages', { RegionId: REGION, ImageOwnerAlias: 'nobody' }));
  await refused('missingImage', () => call('copyImage', { RegionId: REGION, ImageId: 'm-bp1missing00000000',
    DestinationRegionId: 'cn-beijing' }));
  await refused('sharedImage', () => call('deleteImage', { RegionId: REGION, ImageId: imageId }));
  await refused('unexpectedParameter', () => call('describeImages', { RegionId: REGION, ImageFamily: 'acs:x' }));
  await step('cleanup', async () => {
    await call('modifyImageSharePermission', { RegionId: REGION, ImageId: imageId, 'RemoveAccount.1': '5555555555555559' });
    await call('deleteImage', { RegionId: 'cn-beijing', ImageId: results.copyAndShare.copyId });
    await call('deleteImage', { RegionId: REGION, ImageId: imageId });
    await call('deleteSnapshot', { SnapshotId: results.snapshot.snapshotId });
    await call('stopInstance', { InstanceId: instanceId, ForceStop: true });
    await poll(() => call('describeInstances', { RegionId: REGION, InstanceIds: JSON.stringify([instanceId]) }),
      (a) => a.Instances.Instance[0].Status, (a) => a.Instances.Instance[0].Status === 'Stopped');
    await call('deleteInstance', { InstanceId: instanceId });
    await poll(() => call('describeInstances', { RegionId: REGION, VpcId: net.vpcId }), (a) => a.TotalCount,
      (a) => a.TotalCount === 0);
    await call('deleteSecurityGroup', { RegionId: REGION, SecurityGroupId: net.securityGroupId });
    await call('deleteVSwitch', { VSwitchId: net.vSwitchId });
    await poll(() => call('describeVSwitches', { VpcId: net.vpcId }), (a) => a.TotalCount,
      (a) => a.TotalCount === 0);
    await call('deleteVpc', { VpcId: net.vpcId });
    const left = await call('describeImages', { RegionId: REGION, ImageOwnerAlias: 'self' });
    const instances = await call('describeInstances', { RegionId: REGION });
    return { images: left.TotalCount, instances: instances.TotalCount };
  });
}

main().then(() => {
  process.stdout.write(JSON.stringify(results) + '\n');
}).catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err) + '\n');
  process.exit(1);
});
