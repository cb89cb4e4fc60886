// A network and a public address through the official Node.js VPC SDK (the VPC product's API, 2016-04-28), and an
// instance in it through the ECS SDK, against one running mockecs server used as both SDKs' endpoint.
//   node vpc.js http://127.0.0.1:PORT
// Prints one JSON object: what each step returned (or the SDK error's code), and exits 0.
'use strict';

const Vpc = require('@alicloud/vpc20160428');
const Ecs = require('@alicloud/ecs20140526');
const { $OpenApiUtil } = require('@alicloud/openapi-core');
const { step } = require('./step');

async function main() {
  const url = new URL(process.argv[2] || 'http://127.0.0.1:8470');
  const config = () => new $OpenApiUtil.Config({
    endpoint: url.host, protocol: url.protocol.replace(':', '').toUpperCase(),
    accessKeyId: 'node-access-key-id', accessKeySecret: 'node-access-key-secret', regionId: 'cn-hangzhou',
  });
  const vpc = new Vpc.default(config());
  const ecs = new Ecs.default(config());
  const region = 'cn-hangzhou';
  const results = {};
  await step(results, 'createVpc', async () => {
    const resp = await vpc.createVpc(new Vpc.CreateVpcRequest({
      regionId: region, cidrBlock: '10.0.0.0/8', vpcName: 'node-vpc',
      tag: [new Vpc.CreateVpcRequestTag({ key: 'made-by', value: 'node vpc sdk' })] }));
    return { statusCode: resp.statusCode, vpcId: resp.body.vpcId, routeTableId: resp.body.routeTableId };
  });
  const vpcId = results.createVpc.vpcId;
  await step(results, 'describeVpcAttribute', async () => {
    const resp = await vpc.describeVpcAttribute(new Vpc.DescribeVpcAttributeRequest({ regionId: region, vpcId }));
    return { status: resp.body.status, cidrBlock: resp.body.cidrBlock, vpcName: resp.body.vpcName,
      tags: resp.body.tags.tag.map((t) => [t.key, t.value]) };
  });
  await step(results, 'createVSwitch', async () => {
    const resp = await vpc.createVSwitch(new Vpc.CreateVSwitchRequest({
      regionId: region, vpcId, zoneId: 'cn-hangzhou-i', cidrBlock: '10.1.0.0/24', vSwitchName: 'node-vsw' }));
    return { statusCode: resp.statusCode, vSwitchId: resp.body.vSwitchId };
  });
  const vSwitchId = results.createVSwitch.vSwitchId;
  await step(results, 'ecsDescribeVSwitches', async () => {
    const resp = await ecs.describeVSwitches(new Ecs.DescribeVSwitchesRequest({ regionId: region, vpcId }));
    return { ids: resp.body.vSwitches.vSwitch.map((v) => v.vSwitchId) };
  });
  await step(results, 'runInstances', async () => {
    const group = await ecs.createSecurityGroup(new Ecs.CreateSecurityGroupRequest({ regionId: region, vpcId }));
    const resp = await ecs.runInstances(new Ecs.RunInstancesRequest({
      regionId: region, imageId: 'aliyun_3_x64_20G_alibase_20240819.vhd', instanceType: 'ecs.g7.large',
      vSwitchId, securityGroupId: group.body.securityGroupId }));
    return { instanceId: resp.body.instanceIdSets.instanceIdSet[0] };
  });
  const instanceId = results.runInstances.instanceId;
  await step(results, 'allocateEipAddress', async () => {
    const resp = await vpc.allocateEipAddress(new Vpc.AllocateEipAddressRequest({
      regionId: region, bandwidth: '5', name: 'node-eip' }));
    return { allocationId: resp.body.allocationId, eipAddress: resp.body.eipAddress };
  });
  const allocationId = results.allocateEipAddress.allocationId;
  await step(results, 'associateEipAddress', async () => {
    const resp = await vpc.associateEipAddress(new Vpc.AssociateEipAddressRequest({
      regionId: region, allocationId, instanceId, instanceType: 'EcsInstance' }));
    return { statusCode: resp.statusCode };
  });
  await step(results, 'describeEipAddresses', async () => {
    const resp = await vpc.describeEipAddresses(new Vpc.DescribeEipAddressesRequest({ regionId: region, allocationId }));
    const eip = resp.body.eipAddresses.eipAddress[0];
    return { status: eip.status, instanceId: eip.instanceId, name: eip.name, bandwidth: eip.bandwidth };
  });
  await step(results, 'ecsInstanceEip', async () => {
    const resp = await ecs.describeInstances(new Ecs.DescribeInstancesRequest({
      regionId: region, instanceIds: JSON.stringify([instanceId]) }));
    return { ipAddress: resp.body.instances.instance[0].eipAddress.ipAddress };
  });
  await step(results, 'deleteVpcInUse', async () => {
    await vpc.deleteVpc(new Vpc.DeleteVpcRequest({ regionId: region, vpcId }));
    return { unexpected: 'success' };
  });
  await step(results, 'unknownVpc', async () => {
    await vpc.describeVpcAttribute(new Vpc.DescribeVpcAttributeRequest({ regionId: region, vpcId: 'vpc-nothere' }));
    return { unexpected: 'success' };
  });
  process.stdout.write(JSON.stringify(results) + '\n');
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack || err) + '\n');
  process.exit(1);
});
