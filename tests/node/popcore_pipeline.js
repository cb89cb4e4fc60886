// An image pipeline as Node code in the wild writes it with the classic RPC client @alicloud/pop-core (signature
// v1, JSON), unchanged, against mockecs: run by tests/test_node_popcore.py.
//   node popcore_pipeline.js '{"ecs": "http://127.0.0.1:PORT", "vpc": "http://127.0.0.1:PORT", "method": "GET",
//                              "formatParams": true, "accessKeyId": "...", "accessKeySecret": "...",
//                              "catalogOnly": false}'
// ecs/vpc: the endpoints (the server's URL for both, or https://ecs.aliyuncs.com and https://vpc.aliyuncs.com
// through the HTTPS proxy); method: pop-core's `method` option; formatParams: when true the script writes its
// parameter names in lower camel case (pop-core capitalises the first letter of each), when false as the API
// spells them. Prints one JSON object: each step's answer (or its error), and exits 0.
'use strict';

const RPCClient = require('@alicloud/pop-core').RPCClient;
const { poll } = require('./step');

const config = JSON.parse(process.argv[2] || '{}');
const METHOD = config.method || 'GET';
const FORMAT = config.formatParams !== false;
const REGION = 'cn-hangzhou';
const COPY_REGION = 'cn-shanghai';
const OTHER_ACCOUNT = '5555555555555557';

function client(endpoint, apiVersion) {
  return new RPCClient({
    endpoint, apiVersion,
    accessKeyId: config.accessKeyId || 'pop-access-key-id',
    accessKeySecret: config.accessKeySecret || 'pop-access-key-secret',
    securityToken: config.securityToken,  // an STS token: sent as SecurityToken
  });
}

const ecsClient = client(config.ecs || 'http://127.0.0.1:8470', '2014-05-26');
// the account the image is shared with, if its key is given
const otherClient = config.otherAccessKeyId && new RPCClient({ endpoint: config.ecs || 'http://127.0.0.1:8470',
  apiVersion: '2014-05-26', accessKeyId: config.otherAccessKeyId, accessKeySecret: config.otherAccessKeySecret });
const vpcClient = client(config.vpc || config.ecs || 'http://127.0.0.1:8470', '2016-04-28');

// With formatParams (pop-core's default) the code may name top-level parameters in lower camel case; pop-core
// capitalises only their first letter (not the keys inside a repeat list's objects).
function names(params) {
  if (!FORMAT) return params;
  const out = {};
  for (const [key, value] of Object.entries(params)) out[key[0].toLowerCase() + key.slice(1)] = value;
  return out;
}

const opts = () => ({ method: METHOD, formatParams: FORMAT, timeout: 10000 });
const ecs = (action, params) => ecsClient.request(action, names(params), opts());
const vpc = (action, params) => vpcClient.request(action, names(params), opts());
const other = (action, params) => otherClient.request(action, names(params), opts());

const results = {};
const bodies = {};  // raw answers, checked against the API metadata's schemas by the Python test

// pop-core throws an Error with code (the answer's Code), data (the whole answer) and entry.response.statusCode.
function failure(err) {
  const out = { error: err.code || err.name || String(err), message: err.message };
  if (err.data) out.requestId = err.data.RequestId;
  if (err.entry && err.entry.response) out.statusCode = err.entry.response.statusCode;
  if (!(err instanceof Error)) {  // json-bigint throws a plain object on a body that is not JSON, with the body
    out.notAnError = true;
    out.body = String(err.text).slice(0, 73);
  }
  return out;
}

async function step(name, fn) {
  try {
    results[name] = await fn();
  } catch (err) {
    results[name] = failure(err);
  }
}

async function refused(name, fn) {  // a call that must fail: its error, or 'unexpected success'
  await step(name, async () => { await fn(); return { unexpected: 'success' }; });
}

function types(obj, fields) {  // each field's JS type as pop-core hands it to the user
  const out = {};
  for (const f of fields) out[f] = obj[f] !== null && typeof obj[f] === 'object' ? obj[f].constructor.name : typeof obj[f];
  return out;
}

async function main() {
  // -- the catalogue
  await step('describeRegions', async () => {
    const r = await ecs('DescribeRegions', { AcceptLanguage: 'en-US' });
    bodies.DescribeRegions = r;
    return { requestId: r.RequestId, regions: r.Regions.Region.map((x) => x.RegionId),
      endpoint: r.Regions.Region.find((x) => x.RegionId === REGION).RegionEndpoint };
  });
  await step('describeZones', async () => {
    const r = await ecs('DescribeZones', { RegionId: REGION });
    bodies.DescribeZones = r;
    return { zones: r.Zones.Zone.map((z) => z.ZoneId) };
  });
  const zoneId = 'cn-hangzhou-h';
  for (const alias of ['system', 'self', 'others', 'marketplace']) {
    await step(`images_${alias}`, async () => {
      const r = await ecs('DescribeImages', { RegionId: REGION, ImageOwnerAlias: alias, PageSize: 5,
        Architecture: 'x86_64' });
      bodies[`DescribeImages_${alias}`] = r;
      const first = r.Images.Image[0] || {};
      return { totalCount: r.TotalCount, pageSize: r.PageSize, aliases: r.Images.Image.map((i) => i.ImageOwnerAlias),
        ids: r.Images.Image.map((i) => i.ImageId),
        types: r.Images.Image.length ? types(first, ['Size', 'IsPublic', 'Progress', 'IsSupportCloudinit', 'Usable',
          'CreationTime']) : {},
        productCodes: r.Images.Image.map((i) => i.ProductCode) };
    });
  }
  if (config.catalogOnly) return;  // (a run with a wrong secret: every call is refused alike)
  const systemImage = 'aliyun_3_x64_20G_alibase_20240819.vhd';

  // -- network: the VPC product's API for the VPC and vSwitch, ECS's for the security group
  await step('createVpc', async () => {
    const r = await vpc('CreateVpc', { RegionId: REGION, CidrBlock: '192.168.0.0/16', VpcName: 'pop-core-vpc' });
    const waited = await poll(() => vpc('DescribeVpcs', { RegionId: REGION, VpcId: r.VpcId }),
      (a) => a.Vpcs.Vpc[0].Status, (a) => a.Vpcs.Vpc[0].Status === 'Available');
    const found = waited.answer.Vpcs.Vpc[0];
    return { vpcId: r.VpcId, routeTableId: r.RouteTableId, statuses: waited.values,
      ownerId: String(found.OwnerId), ownerIdType: types(found, ['OwnerId']).OwnerId };
  });
  const vpcId = results.createVpc.vpcId;
  await step('createVSwitch', async () => {
    const r = await vpc('CreateVSwitch', { RegionId: REGION, VpcId: vpcId, ZoneId: zoneId,
      CidrBlock: '192.168.1.0/24', VSwitchName: 'pop-core-vsw' });
    const waited = await poll(() => vpc('DescribeVSwitches', { RegionId: REGION, VSwitchId: r.VSwitchId }),
      (a) => a.VSwitches.VSwitch[0].Status, (a) => a.VSwitches.VSwitch[0].Status === 'Available');
    const sw = waited.answer.VSwitches.VSwitch[0];
    return { vSwitchId: r.VSwitchId, statuses: waited.values,
      availableIpAddressCount: sw.AvailableIpAddressCount, types: types(sw, ['AvailableIpAddressCount', 'IsDefault']) };
  });
  const vSwitchId = results.createVSwitch.vSwitchId;
  await step('createSecurityGroup', async () => {
    const r = await ecs('CreateSecurityGroup', { RegionId: REGION, VpcId: vpcId, SecurityGroupName: 'pop-core-sg',
      Description: 'made by pop-core' });
    return { securityGroupId: r.SecurityGroupId };
  });
  const groupId = results.createSecurityGroup.securityGroupId;
  await step('authorizeRules', async () => {
    await ecs('AuthorizeSecurityGroup', { RegionId: REGION, SecurityGroupId: groupId, IpProtocol: 'tcp',
      PortRange: '22/22', SourceCidrIp: '0.0.0.0/0', Priority: 1, Description: 'ssh' });
    await ecs('AuthorizeSecurityGroup', { RegionId: REGION, SecurityGroupId: groupId,
      Permissions: [{ IpProtocol: 'tcp', PortRange: '443/443', SourceCidrIp: '10.0.0.0/8', Policy: 'accept' }] });
    await ecs('AuthorizeSecurityGroupEgress', { RegionId: REGION, SecurityGroupId: groupId, IpProtocol: 'all',
      PortRange: '-1/-1', DestCidrIp: '0.0.0.0/0' });
    const r = await ecs('DescribeSecurityGroupAttribute', { RegionId: REGION, SecurityGroupId: groupId });
    bodies.DescribeSecurityGroupAttribute = r;
    return { vpcId: r.VpcId, rules: r.Permissions.Permission.map((p) => [p.Direction, p.IpProtocol, p.PortRange,
      p.SourceCidrIp || p.DestCidrIp]), priorityType: types(r.Permissions.Permission[0], ['Priority']).Priority };
  });
  // Paging by NextToken as often written: pop-core sends an undefined value as the string 'undefined'
  await refused('pagingUndefinedToken', async () => {
    let token;
    do {
      const r = await ecs('DescribeSecurityGroups', { RegionId: REGION, MaxResults: 10, NextToken: token });
      token = r.NextToken;
    } while (token);
  });
  await step('paging', async () => {
    const ids = [];
    let token;
    do {
      const r = await ecs('DescribeSecurityGroups', { RegionId: REGION, MaxResults: 10, ...(token ? { NextToken: token } : {}) });
      ids.push(...r.SecurityGroups.SecurityGroup.map((g) => g.SecurityGroupId));
      token = r.NextToken;
    } while (token);
    return { ids };
  });
  await step('createKeyPair', async () => {
    const r = await ecs('CreateKeyPair', { RegionId: REGION, KeyPairName: 'pop-core-key' });
    return { keyPairName: r.KeyPairName, fingerprint: r.KeyPairFingerPrint,
      pem: r.PrivateKeyBody.startsWith('-----BEGIN RSA PRIVATE KEY-----') };
  });

  // -- the build instance: tags and a data disk as repeat lists (pop-core flattens arrays to Name.N.Field)
  await step('runInstances', async () => {
    const r = await ecs('RunInstances', { RegionId: REGION, ImageId: systemImage, InstanceType: 'ecs.g7.large',
      SecurityGroupId: groupId, VSwitchId: vSwitchId, KeyPairName: 'pop-core-key', InstanceName: 'pop-core-builder',
      InternetMaxBandwidthOut: 0, 'SystemDisk.Category': 'cloud_essd', 'SystemDisk.Size': 40,
      DataDisk: [{ Size: 20, Category: 'cloud_essd', DeleteWithInstance: true }],
      Tag: [{ Key: 'made-by', Value: 'pop-core' }, { Key: 'stage', Value: 'build' }], Amount: 1 });
    bodies.RunInstances = r;
    return { instanceIds: r.InstanceIdSets.InstanceIdSet, tradePriceType: typeof r.TradePrice };
  });
  const instanceId = (results.runInstances.instanceIds || [])[0];
  await step('waitRunning', async () => {
    // InstanceIds is a JSON array in a string (not a repeat list)
    const waited = await poll(() => ecs('DescribeInstances', { RegionId: REGION,
      InstanceIds: JSON.stringify([instanceId]) }), (a) => a.Instances.Instance[0].Status,
    (a) => a.Instances.Instance[0].Status === 'Running');
    const inst = waited.answer.Instances.Instance[0];
    bodies.DescribeInstances = waited.answer;
    return { statuses: waited.values, zoneId: inst.ZoneId, vSwitchId: inst.VpcAttributes.VSwitchId,
      keyPairName: inst.KeyPairName, securityGroupIds: inst.SecurityGroupIds.SecurityGroupId,
      tags: inst.Tags.Tag.map((t) => [t.TagKey, t.TagValue]).sort(),
      types: types(inst, ['Cpu', 'Memory', 'DeletionProtection', 'InternetMaxBandwidthOut', 'CreationTime']) };
  });
  await step('disks', async () => {
    const r = await ecs('DescribeDisks', { RegionId: REGION, InstanceId: instanceId });
    bodies.DescribeDisks = r;
    return { disks: r.Disks.Disk.map((d) => [d.Type, d.Category, d.Size, d.DiskId]).sort() };
  });
  const systemDisk = ((results.disks.disks || []).find((d) => d[0] === 'system') || [])[3];

  // -- a snapshot of the system disk, an image of the instance and one of the snapshot
  await step('createSnapshot', async () => {
    const r = await ecs('CreateSnapshot', { DiskId: systemDisk, SnapshotName: 'pop-core-snap',
      Tag: [{ Key: 'made-by', Value: 'pop-core' }] });
    const waited = await poll(() => ecs('DescribeSnapshots', { RegionId: REGION,
      SnapshotIds: JSON.stringify([r.SnapshotId]) }), (a) => `${a.Snapshots.Snapshot[0].Status} ${a.Snapshots.Snapshot[0].Progress}`,
    (a) => a.Snapshots.Snapshot[0].Status === 'accomplished');
    const snap = waited.answer.Snapshots.Snapshot[0];
    bodies.DescribeSnapshots = waited.answer;
    return { snapshotId: r.SnapshotId, seen: waited.values, sourceDiskId: snap.SourceDiskId,
      types: types(snap, ['SourceDiskSize', 'Progress', 'RetentionDays', 'InstantAccess']) };
  });
  const snapshotId = results.createSnapshot.snapshotId;
  const waitImage = async (region, imageId) => {
    const waited = await poll(() => ecs('DescribeImages', { RegionId: region, ImageId: imageId,
      Status: 'Creating,Waiting,Available,CreateFailed' }), (a) => `${a.Images.Image[0].Status} ${a.Images.Image[0].Progress}`,
    (a) => a.Images.Image[0].Status === 'Available');
    return waited;
  };
  await step('imageFromInstance', async () => {
    const r = await ecs('CreateImage', { RegionId: REGION, InstanceId: instanceId,
      ImageName: `pop-core-${METHOD.toLowerCase()}-${FORMAT}`, Description: "built by pop-core (100% Node) *~!'& 镜像",
      ImageFamily: 'pop-core-family', Tag: [{ Key: 'made-by', Value: 'pop-core' }] });
    const waited = await waitImage(REGION, r.ImageId);
    const image = waited.answer.Images.Image[0];
    bodies.DescribeImages_built = waited.answer;
    return { imageId: r.ImageId, seen: waited.values, name: image.ImageName, description: image.Description,
      family: image.ImageFamily, alias: image.ImageOwnerAlias, size: image.Size,
      mappings: image.DiskDeviceMappings.DiskDeviceMapping.map((m) => [m.Type, m.Size]),
      snapshotIds: image.DiskDeviceMappings.DiskDeviceMapping.map((m) => m.SnapshotId),
      tags: image.Tags.Tag.map((t) => [t.TagKey, t.TagValue]) };
  });
  const imageId = results.imageFromInstance.imageId;
  await step('imageFromSnapshot', async () => {
    const r = await ecs('CreateImage', { RegionId: REGION, SnapshotId: snapshotId, ImageName: 'pop-core-from-snapshot',
      Architecture: 'x86_64', Platform: 'Aliyun' });
    const waited = await waitImage(REGION, r.ImageId);
    return { imageId: r.ImageId, seen: waited.values,
      snapshotIds: waited.answer.Images.Image[0].DiskDeviceMappings.DiskDeviceMapping.map((m) => m.SnapshotId) };
  });
  const snapImageId = results.imageFromSnapshot.imageId;
  await step('snapshotIdsAsList', async () => {
    // An array given for a JSON-string parameter goes out as SnapshotIds.1, a name the API does not have: the
    // filter is not applied (the system disk's snapshot and the two the image was made of are listed)
    const r = await ecs('DescribeSnapshots', { RegionId: REGION, SnapshotIds: [snapshotId] });
    return { totalCount: r.TotalCount };
  });

  // -- the image copied to another region, shared, tagged
  await step('copyImage', async () => {
    const r = await ecs('CopyImage', { RegionId: REGION, ImageId: imageId, DestinationRegionId: COPY_REGION,
      DestinationImageName: 'pop-core-copy', Tag: [{ Key: 'copied-by', Value: 'pop-core' }] });
    const waited = await waitImage(COPY_REGION, r.ImageId);
    const copy = waited.answer.Images.Image[0];
    return { imageId: r.ImageId, seen: waited.values, name: copy.ImageName, isCopied: copy.IsCopied,
      snapshotIds: copy.DiskDeviceMappings.DiskDeviceMapping.map((m) => m.SnapshotId),
      tags: copy.Tags.Tag.map((t) => [t.TagKey, t.TagValue]) };
  });
  const copyId = results.copyImage.imageId;
  await step('share', async () => {
    await ecs('ModifyImageSharePermission', { RegionId: REGION, ImageId: imageId, AddAccount: [OTHER_ACCOUNT] });
    const r = await ecs('DescribeImageSharePermission', { RegionId: REGION, ImageId: imageId });
    bodies.DescribeImageSharePermission = r;
    return { accounts: r.Accounts.Account.map((a) => a.AliyunId), totalCount: r.TotalCount,
      shareGroups: r.ShareGroups.ShareGroup, aliyunIdType: typeof (r.Accounts.Account[0] || {}).AliyunId };
  });
  const seenByOther = async () => {
    const r = await other('DescribeImages', { RegionId: REGION, ImageOwnerAlias: 'others', ImageId: imageId });
    return r.Images.Image.map((i) => ({ id: i.ImageId, alias: i.ImageOwnerAlias, owner: String(i.ImageOwnerId),
      usable: i.Usable, isSelfShared: i.IsSelfShared }));
  };
  if (otherClient) await step('sharedSeenByOther', seenByOther);
  await step('tags', async () => {
    await ecs('TagResources', { RegionId: REGION, ResourceType: 'image', ResourceId: [imageId, snapImageId],
      Tag: [{ Key: 'release', Value: '2024.06' }] });
    const r = await ecs('ListTagResources', { RegionId: REGION, ResourceType: 'image',
      ResourceId: [imageId, snapImageId] });
    bodies.ListTagResources = r;
    return { tags: r.TagResources.TagResource.map((t) => [t.ResourceId === imageId ? 'built' : 'fromSnapshot',
      t.TagKey, t.TagValue]).sort() };
  });
  await step('filterByTag', async () => {
    const r = await ecs('DescribeImages', { RegionId: REGION, ImageOwnerAlias: 'self',
      Tag: [{ Key: 'release', Value: '2024.06' }] });
    return { ids: r.Images.Image.map((i) => i.ImageId).sort() };
  });
  await step('imageIdList', async () => {  // DescribeImages' ImageId: a comma-separated list
    const r = await ecs('DescribeImages', { RegionId: REGION, ImageId: `${imageId},${snapImageId}` });
    return { totalCount: r.TotalCount };
  });
  await step('exportImage', async () => {
    const r = await ecs('ExportImage', { RegionId: REGION, ImageId: snapImageId, OSSBucket: 'pop-core-bucket',
      OSSPrefix: 'popcore', ImageFormat: 'qcow2' });
    return { taskId: r.TaskId };
  });
  await step('describeTasks', async () => {
    const r = await ecs('DescribeTasks', { RegionId: REGION, TaskAction: 'ExportImage' });
    bodies.DescribeTasks = r;
    return { tasks: r.TaskSet.Task.map((t) => [t.TaskId, t.TaskAction, t.ResourceId]), totalCount: r.TotalCount };
  });

  // -- errors: pop-core's Error carries the answer's Code, the answer (data) and the HTTP status (entry)
  await refused('badAlias', () => ecs('DescribeImages', { RegionId: REGION, ImageOwnerAlias: 'nobody' }));
  await refused('imageOfMissingInstance', () => ecs('CreateImage', { RegionId: REGION, InstanceId: 'i-bp1missing00000000' }));
  await refused('copyMissingImage', () => ecs('CopyImage', { RegionId: REGION, ImageId: 'm-bp1missing00000000',
    DestinationRegionId: COPY_REGION }));
  await refused('shareMissingImage', () => ecs('DescribeImageSharePermission', { RegionId: REGION,
    ImageId: 'm-bp1missing00000000' }));
  await refused('snapshotMissingDisk', () => ecs('CreateSnapshot', { DiskId: 'd-bp1missing00000000' }));
  await refused('runWithMissingKeyPair', () => ecs('RunInstances', { RegionId: REGION, ImageId: systemImage,
    InstanceType: 'ecs.g7.large', VSwitchId: vSwitchId, SecurityGroupId: groupId, KeyPairName: 'no-such-key' }));
  await refused('deleteSnapshotOfImage', () => ecs('DeleteSnapshot', { SnapshotId: snapshotId }));
  await refused('deleteSharedImage', () => ecs('DeleteImage', { RegionId: REGION, ImageId: imageId }));
  await refused('deleteGroupInUse', () => ecs('DeleteSecurityGroup', { RegionId: REGION, SecurityGroupId: groupId }));
  await refused('deleteVpcInUse', () => vpc('DeleteVpc', { RegionId: REGION, VpcId: vpcId }));
  await refused('missingRegion', () => ecsClient.request('DescribeImages', { regionId: REGION },
    { method: METHOD, formatParams: false }));  // pop-core sends the key as written
  await refused('asXml', () => ecs('DescribeImages', { RegionId: REGION, Format: 'XML', PageSize: 1 }));

  // -- cleanup, in the order a pipeline's cleanup goes
  await step('cleanup', async () => {
    const done = [];
    await ecs('ModifyImageSharePermission', { RegionId: REGION, ImageId: imageId, RemoveAccount: [OTHER_ACCOUNT] });
    if (otherClient) results.unsharedSeenByOther = await seenByOther();
    done.push('unshare');
    await ecs('DeleteImage', { RegionId: COPY_REGION, ImageId: copyId });
    await ecs('DeleteImage', { RegionId: REGION, ImageId: imageId, Force: true });
    await ecs('DeleteImage', { RegionId: REGION, ImageId: snapImageId });
    done.push('images');
    // DeleteImage keeps the snapshots an image was made of: a pipeline deletes them itself
    for (const id of [snapshotId, ...results.imageFromInstance.snapshotIds, ...results.copyImage.snapshotIds]) {
      await ecs('DeleteSnapshot', { SnapshotId: id });
    }
    done.push('snapshots');
    await ecs('DeleteInstance', { InstanceId: instanceId, Force: true });
    done.push('instance');
    await ecs('DeleteKeyPairs', { RegionId: REGION, KeyPairNames: JSON.stringify(['pop-core-key']) });
    await poll(() => ecs('DescribeInstances', { RegionId: REGION, VpcId: vpcId }), (a) => a.TotalCount,
      (a) => a.TotalCount === 0);
    await ecs('DeleteSecurityGroup', { RegionId: REGION, SecurityGroupId: groupId });
    done.push('securityGroup');
    await ecs('DeleteVSwitch', { RegionId: REGION, VSwitchId: vSwitchId });  // ECS's own, on the VPC API's vSwitch
    await poll(() => vpc('DescribeVSwitches', { RegionId: REGION, VpcId: vpcId }), (a) => a.TotalCount,
      (a) => a.TotalCount === 0);
    await vpc('DeleteVpc', { RegionId: REGION, VpcId: vpcId });
    done.push('network');
    return { done };
  });
  await step('leftOver', async () => {
    const count = async (region, action, params) => (await ecs(action, { RegionId: region, ...params })).TotalCount;
    return {
      images: await count(REGION, 'DescribeImages', { ImageOwnerAlias: 'self' }),
      copies: await count(COPY_REGION, 'DescribeImages', { ImageOwnerAlias: 'self' }),
      snapshots: await count(REGION, 'DescribeSnapshots', {}),
      copiedSnapshots: await count(COPY_REGION, 'DescribeSnapshots', {}),
      instances: await count(REGION, 'DescribeInstances', {}),
      keyPairs: await count(REGION, 'DescribeKeyPairs', {}),
      vpcs: (await vpc('DescribeVpcs', { RegionId: REGION, VpcId: vpcId })).TotalCount,
    };
  });
}

main().then(() => {
  results.bodies = bodies;
  process.stdout.write(JSON.stringify(results) + '\n');
}).catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : JSON.stringify(err)) + '\n');
  process.exit(1);
});
