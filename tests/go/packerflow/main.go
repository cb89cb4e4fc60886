// Packer's alicloud-ecs builder (v1.4.0, builder/alicloud/ecs/*.go), replayed call for call through
// aliyungo's ecs package (github.com/denverdino/aliyungo, Debian's golang-github-denverdino-aliyungo-dev)
// against mockecs server. The client is made as Packer makes it (NewECSClientWithSecurityToken, which reads
// ECS_ENDPOINT; CUSTOMIZED_ENDPOINT=true skips the location service). It checks the fields the builder reads
// and prints one JSON object on its last line: what it made, what it saw, and every failed check.
//
//	packerflow build   three builds at once, as `packer build` runs its builders: "vpc" (temporary key pair,
//	                   VPC, vSwitch, EIP, a data disk, tags, a copy to cn-beijing, a share, then the
//	                   artifact's Destroy), "classic" (password, public IP, force delete of an old image, an
//	                   image from a snapshot) and "halted" (its share refused: the halted build's cleanup)
//	packerflow errors  answers to bad input: codes, HTTP statuses, RequestIds
//	packerflow reads   what docker-machine's driver and Terraform's old provider read, from a region-less client
//	packerflow regions DescribeRegions alone (signatures)
package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/denverdino/aliyungo/common"
	"github.com/denverdino/aliyungo/ecs"
)

const (
	region       = "cn-hangzhou"
	otherRegion  = "cn-beijing"
	sourceImage  = "aliyun_3_x64_20G_alibase_20240819.vhd"
	// a type that sells cloud_efficiency, the category the flow names (an ESSD-only type such as ecs.g7 refuses it,
	// as the service does)
	instanceType = "ecs.g6.large"
	shareAccount = "1111222233334444"
	// Packer's ALICLOUD_DEFAULT_SHORT_TIMEOUT, ALICLOUD_DEFAULT_TIMEOUT, ALICLOUD_DEFAULT_LONG_TIMEOUT
	shortTimeout = 180
	timeout      = 1800
	longTimeout  = 3600
)

type run struct {
	name     string
	client   *ecs.Client
	failures []string
	out      map[string]interface{}
}

func (r *run) check(ok bool, format string, args ...interface{}) bool {
	if !ok {
		r.failures = append(r.failures, r.name+": "+fmt.Sprintf(format, args...))
	}
	return ok
}

// must records an error as a failure and says whether the call succeeded.
func (r *run) must(err error, what string) bool {
	return r.check(err == nil, "%s: %v", what, err)
}

// keys: ALICLOUD_ACCESS_KEY_<NAME> and ALICLOUD_SECRET_KEY_<NAME> (each run its own account), else
// ALICLOUD_ACCESS_KEY and ALICLOUD_SECRET_KEY.
func keys(name string) (string, string) {
	env := func(key string) string {
		if v := os.Getenv(key + "_" + strings.ToUpper(name)); v != "" {
			return v
		}
		return os.Getenv(key)
	}
	return env("ALICLOUD_ACCESS_KEY"), env("ALICLOUD_SECRET_KEY")
}

// newClient is Packer's client (a region: the location service unless CUSTOMIZED_ENDPOINT is set).
func newClient(name string) *ecs.Client {
	ak, sk := keys(name)
	client := ecs.NewECSClientWithSecurityToken(ak, sk, os.Getenv("SECURITY_TOKEN"), common.Region(region))
	client.SetBusinessInfo("Packer")
	return client
}

func (r *run) checkImage(img ecs.ImageType, alias string, what string) {
	r.check(img.ImageId != "" && img.ImageName != "", "%s: no ImageId/ImageName: %+v", what, img)
	r.check(img.ImageOwnerAlias == alias, "%s: ImageOwnerAlias %q, want %q", what, img.ImageOwnerAlias, alias)
	r.check(img.Status == ecs.ImageStatusAvailable, "%s: Status %q", what, img.Status)
	r.check(img.Size > 0, "%s: Size %d", what, img.Size)
	r.check(img.OSType != "" && img.Architecture != "" && img.Platform != "", "%s: OSType/Architecture/Platform empty", what)
	r.check(!img.CreationTime.IsDefault(), "%s: no CreationTime", what)
	r.check(img.Progress == "100%", "%s: Progress %q", what, img.Progress)
}

// build replays one Packer build: "vpc"; "classic" (no VPC: password, AllocatePublicIpAddress, force delete,
// image_ignore_data_disks); "halted" (no VPC, a copy and a share; the share is refused, so Packer halts and runs
// the cleanups it keeps for a halted build: unshare, CancelCopyImage, DeleteImage).
func (r *run) build(imageName string) {
	c := r.client
	classic := r.name != "vpc"
	made := map[string]interface{}{}
	r.out["made"] = made
	// multistep's StateHalted: an error stopped the build (a check failed here, or the expected refusal)
	halted := func() bool { return len(r.failures) > 0 || r.out["halted_by"] != nil }
	// (the builder's Client(): DescribeRegions once)
	regions, err := c.DescribeRegions()
	if !r.must(err, "DescribeRegions") {
		return
	}
	var regionIds []string
	for _, reg := range regions {
		regionIds = append(regionIds, string(reg.RegionId))
		r.check(reg.LocalName != "", "DescribeRegions: %s has no LocalName", reg.RegionId)
	}
	r.check(strings.Contains(strings.Join(regionIds, ","), region), "DescribeRegions: no %s in %v", region, regionIds)

	forceDelete := r.name == "classic" // the one rebuilt with image_force_delete(_snapshots)
	// stepPreValidate
	if !forceDelete {
		images, _, err := c.DescribeImages(&ecs.DescribeImagesArgs{ImageName: imageName, RegionId: region})
		r.must(err, "DescribeImages by name")
		r.check(len(images) == 0, "DescribeImages by name: %d images named %s", len(images), imageName)
	}
	// stepCheckAlicloudSourceImage
	args := &ecs.DescribeImagesArgs{RegionId: region, ImageId: sourceImage}
	args.PageSize = 50
	images, _, err := c.DescribeImages(args)
	if !r.must(err, "DescribeImages source") || !r.check(len(images) == 1, "source image: %d found", len(images)) {
		return
	}
	r.checkImage(images[0], "system", "source image")
	args.ImageOwnerAlias = ecs.ImageOwnerMarketplace
	markets, _, err := c.DescribeImages(args)
	r.must(err, "DescribeImages marketplace")
	r.check(len(markets) == 0, "marketplace: %d found", len(markets))
	source := images[0]

	// stepConfigAlicloudKeyPair (VPC build: a temporary key pair; classic: a password)
	keyName := ""
	if !classic {
		keyName = "packer_" + imageName
		key, err := c.CreateKeyPair(&ecs.CreateKeyPairArgs{KeyPairName: keyName, RegionId: region})
		if !r.must(err, "CreateKeyPair") {
			return
		}
		r.check(strings.HasPrefix(key.PrivateKeyBody, "-----BEGIN RSA PRIVATE KEY-----"), "CreateKeyPair: PrivateKeyBody %.30q", key.PrivateKeyBody)
		r.check(key.KeyPairFingerPrint != "" && key.KeyPairName == keyName && key.RequestId != "", "CreateKeyPair: %+v", key.Response)
		made["key_pair"] = keyName
		defer func() {
			r.must(c.DeleteKeyPairs(&ecs.DeleteKeyPairsArgs{RegionId: region, KeyPairNames: "[\"" + keyName + "\"]"}), "DeleteKeyPairs")
		}()
	}

	var vpcId, vswitchId, zoneId string
	if !classic {
		// stepConfigAlicloudVPC
		vpc, err := c.CreateVpc(&ecs.CreateVpcArgs{RegionId: region, VpcName: "packer_vpc"})
		if !r.must(err, "CreateVpc") {
			return
		}
		r.check(strings.HasPrefix(vpc.VpcId, "vpc-") && vpc.VRouterId != "" && vpc.RouteTableId != "", "CreateVpc: %+v", vpc)
		vpcId = vpc.VpcId
		made["vpc"] = vpcId
		if !r.must(c.WaitForVpcAvailable(region, vpcId, shortTimeout), "WaitForVpcAvailable") {
			return
		}
		defer r.retryDelete("DeleteVpc", func() error { return c.DeleteVpc(vpcId) }, "DependencyViolation.Instance",
			"DependencyViolation.RouteEntry", "DependencyViolation.VSwitch", "DependencyViolation.SecurityGroup", "Forbbiden")
		// stepConfigAlicloudVSwitch: the first zone that makes vSwitches and has the instance type
		zones, err := c.DescribeZones(region)
		if !r.must(err, "DescribeZones") {
			return
		}
		for _, zone := range zones {
			vsw := false
			for _, t := range zone.AvailableResourceCreation.ResourceTypes {
				vsw = vsw || t == ecs.ResourceTypeVSwitch
			}
			if !vsw {
				continue
			}
			for _, t := range zone.AvailableInstanceTypes.InstanceTypes {
				if t == instanceType {
					zoneId = zone.ZoneId
					break
				}
			}
		}
		if !r.check(zoneId != "", "DescribeZones: no zone makes vSwitches with %s (%d zones)", instanceType, len(zones)) {
			return
		}
		r.out["zone"] = zoneId
		vswitchId, err = c.CreateVSwitch(&ecs.CreateVSwitchArgs{CidrBlock: "172.16.0.0/24", ZoneId: zoneId, VpcId: vpcId})
		if !r.must(err, "CreateVSwitch") {
			return
		}
		made["vswitch"] = vswitchId
		// (Packer passes its own VSwitchId field here, still empty: the VPC's only vSwitch is found)
		if !r.must(c.WaitForVSwitchAvailable(vpcId, "", timeout), "WaitForVSwitchAvailable") {
			return
		}
		defer r.retryDelete("DeleteVSwitch", func() error { return c.DeleteVSwitch(vswitchId) }, "IncorrectVSwitchStatus",
			"DependencyViolation", "DependencyViolation.HaVip", "IncorrectRouteEntryStatus")
	}

	// stepConfigAlicloudSecurityGroup (Packer passes the configured security_group_id, empty, as its name)
	sgArgs := &ecs.CreateSecurityGroupArgs{RegionId: region, VpcId: vpcId}
	sgId, err := c.CreateSecurityGroup(sgArgs)
	if !r.must(err, "CreateSecurityGroup") {
		return
	}
	made["security_group"] = sgId
	defer r.retryDelete("DeleteSecurityGroup", func() error { return c.DeleteSecurityGroup(region, sgId) }, "DependencyViolation")
	r.must(c.AuthorizeSecurityGroupEgress(&ecs.AuthorizeSecurityGroupEgressArgs{SecurityGroupId: sgId, RegionId: region,
		IpProtocol: ecs.IpProtocolAll, PortRange: "-1/-1", NicType: ecs.NicTypeInternet, DestCidrIp: "0.0.0.0/0"}),
		"AuthorizeSecurityGroupEgress")
	r.must(c.AuthorizeSecurityGroup(&ecs.AuthorizeSecurityGroupArgs{SecurityGroupId: sgId, RegionId: region,
		IpProtocol: ecs.IpProtocolAll, PortRange: "-1/-1", NicType: ecs.NicTypeInternet, SourceCidrIp: "0.0.0.0/0"}),
		"AuthorizeSecurityGroup")

	// stepCreateAlicloudInstance
	launch := &ecs.CreateInstanceArgs{RegionId: region, ImageId: source.ImageId, InstanceType: instanceType,
		IoOptimized: ecs.IoOptimizedOptimized, SecurityGroupId: sgId, InstanceName: "packer_" + imageName}
	if classic {
		launch.InternetMaxBandwidthOut = 5 // Packer's default without a VPC
		launch.Password = "Packer-Passw0rd"
	} else {
		launch.VSwitchId = vswitchId
		launch.SystemDisk = ecs.SystemDiskType{Category: ecs.DiskCategoryCloudEfficiency, Size: 40}
		// image_disk_mappings with one data disk, as Packer's diskDeviceToDiskType makes them: an empty first element
		// (sent as DataDisk.1.DeleteWithInstance=false alone, which the service ignores), then the real one
		launch.DataDisk = []ecs.DataDiskType{{}, {Size: 20, Category: ecs.DiskCategoryCloudEfficiency,
			DiskName: "packer-data", DeleteWithInstance: true}}
	}
	instanceId, err := c.CreateInstance(launch)
	if !r.must(err, "CreateInstance") {
		return
	}
	made["instance"] = instanceId
	if !r.must(c.WaitForInstance(instanceId, ecs.Stopped, timeout), "WaitForInstance Stopped (created)") {
		return
	}
	instance, err := c.DescribeInstanceAttribute(instanceId)
	if !r.must(err, "DescribeInstanceAttribute") {
		return
	}
	defer func() { r.must(c.DeleteInstance(instanceId), "DeleteInstance") }()
	r.check(instance.InstanceId == instanceId && instance.RegionId == region && instance.ZoneId != "", "instance: ids %+v", instance)
	r.check(instance.InstanceType == instanceType && instance.CPU > 0 && instance.Memory > 0, "instance: type %s, %d CPU, %d MiB",
		instance.InstanceType, instance.CPU, instance.Memory)
	r.check(instance.ImageId == sourceImage && !instance.CreationTime.IsDefault(), "instance: image %q, created %v", instance.ImageId, instance.CreationTime)
	r.check(len(instance.SecurityGroupIds.SecurityGroupId) == 1 && instance.SecurityGroupIds.SecurityGroupId[0] == sgId,
		"instance: security groups %v", instance.SecurityGroupIds.SecurityGroupId)
	r.check(instance.IoOptimized.Bool(), "instance: IoOptimized %v", instance.IoOptimized)
	r.out["instance_status"] = string(instance.Status)

	// stepConfigAlicloudEIP / stepConfigAlicloudPublicIP
	var address string
	if classic {
		r.check(instance.InstanceNetworkType == "classic", "instance: InstanceNetworkType %q", instance.InstanceNetworkType)
		r.check(len(instance.InnerIpAddress.IpAddress) == 1, "instance: InnerIpAddress %v", instance.InnerIpAddress.IpAddress)
		address, err = c.AllocatePublicIpAddress(instanceId)
		if !r.must(err, "AllocatePublicIpAddress") {
			return
		}
		shown, err := c.DescribeInstanceAttribute(instanceId)
		if r.must(err, "DescribeInstanceAttribute") {
			r.check(len(shown.PublicIpAddress.IpAddress) == 1 && shown.PublicIpAddress.IpAddress[0] == address,
				"instance: PublicIpAddress %v, allocated %s", shown.PublicIpAddress.IpAddress, address)
		}
	} else {
		r.check(instance.InstanceNetworkType == "vpc", "instance: InstanceNetworkType %q", instance.InstanceNetworkType)
		r.check(instance.VpcAttributes.VpcId == vpcId && instance.VpcAttributes.VSwitchId == vswitchId, "instance: VpcAttributes %+v", instance.VpcAttributes)
		r.check(len(instance.VpcAttributes.PrivateIpAddress.IpAddress) == 1 && strings.HasPrefix(instance.VpcAttributes.PrivateIpAddress.IpAddress[0], "172.16.0."),
			"instance: private address %v", instance.VpcAttributes.PrivateIpAddress.IpAddress)
		r.check(instance.ZoneId == zoneId, "instance: zone %s, vSwitch's %s", instance.ZoneId, zoneId)
		var allocationId string
		address, allocationId, err = c.AllocateEipAddress(&ecs.AllocateEipAddressArgs{RegionId: region})
		if !r.must(err, "AllocateEipAddress") {
			return
		}
		made["eip"] = allocationId
		r.check(strings.HasPrefix(allocationId, "eip-"), "AllocateEipAddress: AllocationId %q", allocationId)
		if !r.must(c.WaitForEip(region, allocationId, ecs.EipStatusAvailable, shortTimeout), "WaitForEip Available") {
			return
		}
		defer func() {
			r.must(c.UnassociateEipAddress(allocationId, instanceId), "UnassociateEipAddress")
			r.must(c.WaitForEip(region, allocationId, ecs.EipStatusAvailable, shortTimeout), "WaitForEip Available (cleanup)")
			r.must(c.ReleaseEipAddress(allocationId), "ReleaseEipAddress")
		}()
		if !r.must(c.AssociateEipAddress(allocationId, instanceId), "AssociateEipAddress") ||
			!r.must(c.WaitForEip(region, allocationId, ecs.EipStatusInUse, shortTimeout), "WaitForEip InUse") {
			return
		}
		eips, _, err := c.DescribeEipAddresses(&ecs.DescribeEipAddressesArgs{RegionId: region, AllocationId: allocationId})
		if r.must(err, "DescribeEipAddresses") && r.check(len(eips) == 1, "DescribeEipAddresses: %d", len(eips)) {
			r.check(eips[0].InstanceId == instanceId && eips[0].IpAddress == address && eips[0].Bandwidth != "", "EIP: %+v", eips[0])
		}
	}
	r.check(address != "" && strings.Count(address, ".") == 3, "public address %q", address)
	r.out["address"] = address

	// stepAttachKeyPair
	if keyName != "" {
		r.must(c.AttachKeyPair(&ecs.AttachKeyPairArgs{RegionId: region, KeyPairName: keyName,
			InstanceIds: "[\"" + instanceId + "\"]"}), "AttachKeyPair")
		defer func() {
			r.must(c.DetachKeyPair(&ecs.DetachKeyPairArgs{RegionId: region, KeyPairName: keyName,
				InstanceIds: "[\"" + instanceId + "\"]"}), "DetachKeyPair")
		}()
	}
	// stepRunAlicloudInstance
	defer func() {
		if !halted() {
			return
		}
		attribute, err := c.DescribeInstanceAttribute(instanceId)
		if r.must(err, "DescribeInstanceAttribute (halted)") && (attribute.Status == ecs.Starting || attribute.Status == ecs.Running) {
			r.must(c.StopInstance(instanceId, true), "StopInstance (halted)")
			r.must(c.WaitForInstance(instanceId, ecs.Stopped, timeout), "WaitForInstance (halted)")
		}
	}()
	if !r.must(c.StartInstance(instanceId), "StartInstance") ||
		!r.must(c.WaitForInstance(instanceId, ecs.Running, timeout), "WaitForInstance Running") {
		return
	}
	// stepMountAlicloudDisk (with image_disk_mappings)
	if !classic {
		disks, _, err := c.DescribeDisks(&ecs.DescribeDisksArgs{InstanceId: instanceId, RegionId: instance.RegionId})
		if r.must(err, "DescribeDisks") && r.check(len(disks) == 2, "DescribeDisks: %d disks", len(disks)) {
			for _, disk := range disks {
				r.check(disk.Status == ecs.DiskStatusInUse && disk.InstanceId == instanceId, "disk %s: %s on %q", disk.DiskId, disk.Status, disk.InstanceId)
				r.must(c.WaitForDisk(instance.RegionId, disk.DiskId, ecs.DiskStatusInUse, shortTimeout), "WaitForDisk")
			}
		}
		// (KeyPairName: DescribeInstances answers it; DescribeInstanceAttribute, whose struct aliyungo shares, does not)
		described, _, err := c.DescribeInstances(&ecs.DescribeInstancesArgs{RegionId: region, InstanceIds: "[\"" + instanceId + "\"]"})
		if r.must(err, "DescribeInstances") && r.check(len(described) == 1, "DescribeInstances: %d", len(described)) {
			r.check(described[0].KeyPairName == keyName && described[0].Status == ecs.Running, "instance: KeyPairName %q, %s",
				described[0].KeyPairName, described[0].Status)
		}
	}
	// (communicator none: no provisioning) stepStopAlicloudInstance
	if !r.must(c.StopInstance(instanceId, false), "StopInstance") ||
		!r.must(c.WaitForInstance(instanceId, ecs.Stopped, timeout), "WaitForInstance Stopped") {
		return
	}
	// stepDeleteAlicloudImageSnapshots (image_force_delete, image_force_delete_snapshots)
	if forceDelete {
		old, _, err := c.DescribeImages(&ecs.DescribeImagesArgs{RegionId: region, ImageName: imageName})
		r.must(err, "DescribeImages (force delete)")
		r.out["force_deleted"] = len(old)
		for _, image := range old {
			if image.ImageOwnerAlias != string(ecs.ImageOwnerSelf) {
				continue
			}
			r.must(c.DeleteImage(region, image.ImageId), "DeleteImage (force delete)")
			for _, disk := range image.DiskDeviceMappings.DiskDeviceMapping {
				r.check(disk.SnapshotId != "" && disk.Size != "" && disk.Device != "", "old image's mapping %+v", disk)
				r.must(c.DeleteSnapshot(disk.SnapshotId), "DeleteSnapshot (force delete)")
			}
		}
	}
	// stepCreateAlicloudSnapshot (the classic build sets image_ignore_data_disks: its image is made from a
	// snapshot of the system disk)
	imageArgs := &ecs.CreateImageArgs{RegionId: region, InstanceId: instanceId, ImageName: imageName,
		Description: "built by packerflow (aliyungo)"}
	if r.name == "classic" {
		snapshotId := r.snapshotSystemDisk(instanceId)
		if snapshotId == "" {
			return
		}
		imageArgs.InstanceId, imageArgs.SnapshotId = "", snapshotId
	}
	// stepCreateAlicloudImage
	imageId, err := c.CreateImage(imageArgs)
	if !r.must(err, "CreateImage") {
		return
	}
	if !r.must(c.WaitForImageReady(region, imageId, longTimeout), "WaitForImageReady") {
		return
	}
	built, _, err := c.DescribeImages(&ecs.DescribeImagesArgs{RegionId: region, ImageId: imageId})
	if !r.must(err, "DescribeImages built") || !r.check(len(built) == 1, "built image: %d found", len(built)) {
		return
	}
	r.checkImage(built[0], "self", "built image")
	defer func() {
		if halted() {
			r.must(c.DeleteImage(region, imageId), "DeleteImage (halted)")
		}
	}()
	var snapshotIds []string
	for _, disk := range built[0].DiskDeviceMappings.DiskDeviceMapping {
		r.check(strings.HasPrefix(disk.SnapshotId, "s-") && disk.Size != "" && disk.Device != "", "built image mapping %+v", disk)
		snapshotIds = append(snapshotIds, disk.SnapshotId)
	}
	r.check(len(snapshotIds) == map[bool]int{true: 1, false: 2}[classic], "built image: snapshots %v", snapshotIds)
	images2 := map[string]string{region: imageId}
	r.out["images"] = images2
	r.out["snapshots"] = snapshotIds
	if r.name == "classic" {
		return
	}
	// stepCreateTags
	if r.name == "vpc" {
		tags := map[string]string{"built-by": "packer", "os": "alinux3"}
		r.must(c.AddTags(&ecs.AddTagsArgs{ResourceId: imageId, ResourceType: ecs.TagResourceImage, RegionId: region, Tag: tags}), "AddTags image")
		for _, s := range snapshotIds {
			r.must(c.AddTags(&ecs.AddTagsArgs{ResourceId: s, ResourceType: ecs.TagResourceSnapshot, RegionId: region, Tag: tags}), "AddTags snapshot")
		}
	}
	// stepRegionCopyAlicloudImage; halted, the copies are cancelled. aliyungo's CancelCopyImage never sends its
	// region (an unexported field): the client's region is asked for the copy, InvalidImageId.NotFound, which
	// Packer only prints (the copy stays). Recorded; then cancelled with the region sent.
	defer func() {
		if halted() {
			for reg, id := range images2 {
				if reg == region {
					continue
				}
				if err := c.CancelCopyImage(common.Region(reg), id); err != nil {
					r.out["aliyungo_cancel_error"] = errorOf(err)
				}
				var answer common.Response
				r.must(c.Invoke("CancelCopyImage", &ecs.DescribeImagesArgs{RegionId: common.Region(reg), ImageId: id}, &answer),
					"CancelCopyImage (halted, with RegionId)")
			}
		}
	}()
	copyId, err := c.CopyImage(&ecs.CopyImageArgs{RegionId: region, ImageId: imageId, DestinationRegionId: otherRegion,
		DestinationImageName: imageName + "-copy"})
	if !r.must(err, "CopyImage") {
		return
	}
	images2[otherRegion] = copyId
	// stepShareAlicloudImage: every image of the artifact, the copy too; halted, the shares are taken back
	defer func() {
		if halted() {
			for reg, id := range images2 {
				r.must(c.ModifyImageSharePermission(&ecs.ModifyImageSharePermissionArgs{RegionId: common.Region(reg), ImageId: id,
					RemoveAccount: []string{shareAccount}}), "ModifyImageSharePermission (halted) "+reg)
			}
		}
	}()
	// (Packer 1.4 shares each image of its map at once, a copy still running too: mockecs lets it take accounts,
	// option share_copying_image; the replay shares the build region's image first and waits for each copy)
	for _, reg := range []string{region, otherRegion} {
		id := images2[reg]
		if reg != region && !r.must(c.WaitForImageReady(common.Region(reg), id, longTimeout), "WaitForImageReady (copy)") {
			return
		}
		err := c.ModifyImageSharePermission(&ecs.ModifyImageSharePermissionArgs{RegionId: common.Region(reg), ImageId: id,
			AddAccount: []string{shareAccount}})
		if err != nil && r.name == "halted" {
			r.out["halted_by"] = errorOf(err)
			return
		}
		r.must(err, "ModifyImageSharePermission "+reg)
	}
	shared, err := c.DescribeImageSharePermission(&ecs.ModifyImageSharePermissionArgs{RegionId: region, ImageId: imageId})
	if r.must(err, "DescribeImageSharePermission") {
		r.check(len(shared.Accounts.Account) == 1 && shared.Accounts.Account[0].AliyunId == shareAccount && shared.RequestId != "",
			"shared with %+v", shared.Accounts.Account)
	}
	tagged, _, err := c.DescribeTags(&ecs.DescribeTagsArgs{RegionId: region, ResourceType: ecs.TagResourceImage, ResourceId: imageId})
	if r.must(err, "DescribeTags") {
		r.out["tags"] = len(tagged)
		r.check(len(tagged) == 2, "DescribeTags: %+v", tagged)
	}
	byTag, _, err := c.DescribeResourceByTags(&ecs.DescribeResourceByTagsArgs{RegionId: region, ResourceType: ecs.TagResourceSnapshot,
		Tag: map[string]string{"built-by": "packer"}})
	if r.must(err, "DescribeResourceByTags") {
		r.check(len(byTag) == len(snapshotIds), "DescribeResourceByTags: %+v", byTag)
	}
}

// snapshotAnswer is DescribeSnapshots' answer as a client that reads today's wire must decode it: aliyungo's
// SnapshotType has SourceDiskSize int, which the metadata and the SDKs document as a string ("40");
// json.Number takes either.
type snapshotAnswer struct {
	common.Response
	Snapshots struct {
		Snapshot []struct {
			SnapshotId     string
			Progress       string
			Status         string
			SourceDiskType string
			SourceDiskSize json.Number
		}
	}
}

// waitForSnapshot is aliyungo's WaitForSnapShotReady on snapshotAnswer (Progress "100%", the same 5 s polls).
func waitForSnapshot(c *ecs.Client, snapshotId string, timeout int) (*snapshotAnswer, error) {
	for {
		var answer snapshotAnswer
		err := c.Invoke("DescribeSnapshots", &ecs.DescribeSnapshotsArgs{RegionId: region, SnapshotIds: []string{snapshotId}}, &answer)
		if err != nil {
			return nil, err
		}
		if len(answer.Snapshots.Snapshot) == 0 {
			return nil, common.GetClientErrorFromString("Not found")
		}
		if answer.Snapshots.Snapshot[0].Progress == "100%" {
			return &answer, nil
		}
		if timeout -= ecs.DefaultWaitForInterval; timeout <= 0 {
			return nil, common.GetClientErrorFromString("Timeout")
		}
		time.Sleep(ecs.DefaultWaitForInterval * time.Second)
	}
}

// snapshotSystemDisk is Packer's stepCreateAlicloudSnapshot; aliyungo's own WaitForSnapShotReady fails on
// today's answer (recorded in out["aliyungo_snapshot_error"]), so the wait goes on with waitForSnapshot.
func (r *run) snapshotSystemDisk(instanceId string) string {
	c := r.client
	disks, _, err := c.DescribeDisks(&ecs.DescribeDisksArgs{RegionId: region, InstanceId: instanceId, DiskType: ecs.DiskTypeAllSystem})
	if !r.must(err, "DescribeDisks system") || !r.check(len(disks) == 1 && disks[0].Type == ecs.DiskTypeAllSystem,
		"DescribeDisks system: %+v", disks) {
		return ""
	}
	snapshotId, err := c.CreateSnapshot(&ecs.CreateSnapshotArgs{DiskId: disks[0].DiskId})
	if !r.must(err, "CreateSnapshot") {
		return ""
	}
	if err := c.WaitForSnapShotReady(region, snapshotId, longTimeout); err != nil {
		r.out["aliyungo_snapshot_error"] = errorOf(err)
	}
	answer, err := waitForSnapshot(c, snapshotId, longTimeout)
	if !r.must(err, "DescribeSnapshots (wait)") {
		return ""
	}
	snap := answer.Snapshots.Snapshot[0]
	size, _ := snap.SourceDiskSize.Int64()
	r.check(snap.SnapshotId == snapshotId && snap.Status == "accomplished" && snap.SourceDiskType == "system" && size == 40,
		"snapshot: %+v", snap)
	r.check(len(answer.RequestId) == 36, "DescribeSnapshots RequestId %q", answer.RequestId)
	r.out["snapshot"] = snapshotId
	return snapshotId
}

// reads: what other aliyungo users (docker-machine's aliyunecs driver, Terraform's old provider) read, with a
// client made without a region (ecs.NewClient: ECS_ENDPOINT), which sends no RegionId where its Args have none.
func (r *run) reads() {
	c := ecs.NewClient(keys("reads"))
	vpc, err := c.CreateVpc(&ecs.CreateVpcArgs{RegionId: region, CidrBlock: "192.168.0.0/16"})
	if !r.must(err, "CreateVpc") {
		return
	}
	routers, _, err := c.DescribeVRouters(&ecs.DescribeVRoutersArgs{RegionId: region, VRouterId: vpc.VRouterId})
	if r.must(err, "DescribeVRouters") && r.check(len(routers) == 1, "DescribeVRouters: %d", len(routers)) {
		r.check(routers[0].VpcId == vpc.VpcId && len(routers[0].RouteTableIds.RouteTableId) == 1 &&
			routers[0].RouteTableIds.RouteTableId[0] == vpc.RouteTableId, "VRouter: %+v", routers[0])
	}
	tables, _, err := c.DescribeRouteTables(&ecs.DescribeRouteTablesArgs{VRouterId: vpc.VRouterId}) // (no RegionId)
	if r.must(err, "DescribeRouteTables") && r.check(len(tables) == 1, "DescribeRouteTables: %d", len(tables)) {
		r.check(tables[0].RouteTableId == vpc.RouteTableId && tables[0].RouteTableType == "System" &&
			len(tables[0].RouteEntrys.RouteEntry) > 0, "route table: %+v", tables[0])
	}
	if !r.must(c.WaitForVpcAvailable(region, vpc.VpcId, shortTimeout), "WaitForVpcAvailable") {
		return
	}
	vswitchId, err := c.CreateVSwitch(&ecs.CreateVSwitchArgs{VpcId: vpc.VpcId, ZoneId: "cn-hangzhou-k", CidrBlock: "192.168.1.0/24"})
	if !r.must(err, "CreateVSwitch") || !r.must(c.WaitForVSwitchAvailable(vpc.VpcId, vswitchId, shortTimeout), "WaitForVSwitchAvailable") {
		return
	}
	sgId, err := c.CreateSecurityGroup(&ecs.CreateSecurityGroupArgs{RegionId: region, VpcId: vpc.VpcId, SecurityGroupName: "docker-machine"})
	if !r.must(err, "CreateSecurityGroup") {
		return
	}
	r.must(c.AuthorizeSecurityGroup(&ecs.AuthorizeSecurityGroupArgs{SecurityGroupId: sgId, RegionId: region,
		IpProtocol: ecs.IpProtocolTCP, PortRange: "2376/2376", NicType: ecs.NicTypeIntranet, SourceCidrIp: "0.0.0.0/0"}),
		"AuthorizeSecurityGroup")
	// aliyungo's PermissionType has Priority int, which the metadata and the SDKs document as a string ("1"):
	// its own call fails (recorded), the rules are read as a client of today's wire must decode them.
	args := &ecs.DescribeSecurityGroupAttributeArgs{RegionId: region, SecurityGroupId: sgId}
	if _, err := c.DescribeSecurityGroupAttribute(args); err != nil {
		r.out["aliyungo_security_group_error"] = errorOf(err)
	}
	var group struct {
		common.Response
		SecurityGroupName, VpcId string
		Permissions              struct {
			Permission []struct {
				IpProtocol, PortRange, SourceCidrIp, Policy, Direction, NicType string
				Priority                                                        json.Number
			}
		}
	}
	if r.must(c.Invoke("DescribeSecurityGroupAttribute", args, &group), "DescribeSecurityGroupAttribute (decoded)") {
		r.check(group.SecurityGroupName == "docker-machine" && group.VpcId == vpc.VpcId && len(group.Permissions.Permission) == 1,
			"security group: %+v", group)
		if len(group.Permissions.Permission) == 1 {
			p := group.Permissions.Permission[0]
			priority, _ := p.Priority.Int64()
			r.check(p.IpProtocol == "TCP" && p.PortRange == "2376/2376" && p.SourceCidrIp == "0.0.0.0/0" && p.Policy == "Accept" &&
				priority == 1 && p.Direction == "ingress", "permission: %+v", p)
		}
	}
	userData := "#!/bin/sh\necho hello\n" // (aliyungo's CreateInstance encodes it; DescribeUserdata answers base64)
	instanceId, err := c.CreateInstance(&ecs.CreateInstanceArgs{RegionId: region, ImageId: sourceImage, InstanceType: instanceType,
		SecurityGroupId: sgId, VSwitchId: vswitchId, UserData: userData, KeyPairName: ""})
	if !r.must(err, "CreateInstance") {
		return
	}
	// Terraform's old provider read user_data so (aliyungo's action name: DescribeUserdata)
	ud, err := c.DescribeUserdata(&ecs.DescribeUserdataArgs{RegionId: region, InstanceId: instanceId})
	if r.must(err, "DescribeUserdata") {
		r.check(ud.UserData == base64.StdEncoding.EncodeToString([]byte(userData)) && ud.InstanceId == instanceId, "user data: %+v", ud)
	}
	statuses, _, err := c.DescribeInstanceStatus(&ecs.DescribeInstanceStatusArgs{RegionId: region})
	if r.must(err, "DescribeInstanceStatus") {
		r.check(len(statuses) == 1 && statuses[0].InstanceId == instanceId && statuses[0].Status == ecs.Stopped, "statuses: %+v", statuses)
	}
	_, err = c.CreateKeyPair(&ecs.CreateKeyPairArgs{RegionId: region, KeyPairName: "docker-machine"})
	r.must(err, "CreateKeyPair")
	keys, _, err := c.DescribeKeyPairs(&ecs.DescribeKeyPairsArgs{RegionId: region, KeyPairName: "docker-machine"})
	if r.must(err, "DescribeKeyPairs") {
		r.check(len(keys) == 1 && keys[0].KeyPairFingerPrint != "", "key pairs: %+v", keys)
	}
	// docker-machine's GetImageID: every page of the system images, page after page (PaginationResult.NextPage)
	seen := map[string]bool{}
	args2 := ecs.DescribeImagesArgs{RegionId: region, ImageOwnerAlias: ecs.ImageOwnerSystem}
	total, pages := 0, 0
	for pages < 100 {
		images, page, err := c.DescribeImages(&args2)
		if !r.must(err, "DescribeImages (pages)") {
			break
		}
		pages++
		total = page.TotalCount
		for _, img := range images {
			r.check(!seen[img.ImageId], "DescribeImages: %s on two pages", img.ImageId)
			seen[img.ImageId] = true
		}
		next := page.NextPage()
		if next == nil {
			break
		}
		args2.Pagination = *next
	}
	r.check(len(seen) == total && pages == (total+9)/10, "system images: %d seen on %d pages, TotalCount %d", len(seen), pages, total)
	r.out["system_images"] = total
	r.out["reads"] = "done"
}

// destroy is the artifact's Destroy: unshare, delete each image, then its snapshots (by id alone).
func (r *run) destroy(images map[string]string) {
	c := r.client
	for reg, id := range images {
		found, _, err := c.DescribeImages(&ecs.DescribeImagesArgs{RegionId: common.Region(reg), ImageId: id})
		if !r.must(err, "Destroy: DescribeImages") || !r.check(len(found) == 1, "Destroy: %s not found in %s", id, reg) {
			continue
		}
		perms, err := c.DescribeImageSharePermission(&ecs.ModifyImageSharePermissionArgs{RegionId: common.Region(reg), ImageId: id})
		if r.must(err, "Destroy: DescribeImageSharePermission") && len(perms.Accounts.Account) > 0 {
			var accounts []string
			for _, a := range perms.Accounts.Account {
				accounts = append(accounts, a.AliyunId)
			}
			r.must(c.ModifyImageSharePermission(&ecs.ModifyImageSharePermissionArgs{RegionId: common.Region(reg), ImageId: id,
				RemoveAccount: accounts}), "Destroy: ModifyImageSharePermission")
		}
		r.must(c.DeleteImage(common.Region(reg), id), "Destroy: DeleteImage")
		for _, disk := range found[0].DiskDeviceMappings.DiskDeviceMapping {
			r.must(c.DeleteSnapshot(disk.SnapshotId), "Destroy: DeleteSnapshot "+reg)
		}
	}
}

// retryDelete is Packer's cleanup loop: retry while the code is a transient one (here without its sleeps'
// length mattering: the fake answers at once), else give up and record the error.
func (r *run) retryDelete(what string, del func() error, transient ...string) {
	for attempt := 0; ; attempt++ {
		err := del()
		if err == nil {
			return
		}
		e, _ := err.(*common.Error)
		retry := false
		for _, code := range transient {
			retry = retry || (e != nil && e.Code == code)
		}
		if !retry || attempt >= 3 {
			r.must(err, what)
			return
		}
	}
}

type answer struct {
	Code      string `json:"code"`
	Status    int    `json:"status"`
	Message   string `json:"message"`
	RequestId string `json:"request_id"`
	HostId    string `json:"host_id"`
}

func errorOf(err error) answer {
	if e, ok := err.(*common.Error); ok {
		return answer{e.Code, e.StatusCode, e.Message, e.RequestId, e.HostId}
	}
	if err == nil {
		return answer{}
	}
	return answer{Code: "client: " + err.Error()}
}

func (r *run) errors() {
	c := r.client
	answers := map[string]answer{}
	r.out["errors"] = answers
	_, err := c.CreateInstance(&ecs.CreateInstanceArgs{RegionId: region, ImageId: "m-missing0000000000000", InstanceType: instanceType})
	answers["CreateInstance missing image"] = errorOf(err)
	_, err = c.CopyImage(&ecs.CopyImageArgs{RegionId: region, ImageId: "m-missing0000000000000", DestinationRegionId: otherRegion})
	answers["CopyImage missing image"] = errorOf(err)
	answers["ModifyImageSharePermission missing image"] = errorOf(c.ModifyImageSharePermission(
		&ecs.ModifyImageSharePermissionArgs{RegionId: region, ImageId: "m-missing0000000000000", AddAccount: []string{shareAccount}}))
	_, err = c.DescribeInstanceAttribute("i-missing0000000000000")
	answers["DescribeInstanceAttribute missing instance"] = errorOf(err)
	_, err = c.DescribeZones("xx-nowhere-1")
	answers["DescribeZones unknown region"] = errorOf(err)
	_, err = c.CreateImage(&ecs.CreateImageArgs{RegionId: region, InstanceId: "i-missing0000000000000", ImageName: "x-image"})
	answers["CreateImage missing instance"] = errorOf(err)
	answers["DeleteVpc missing"] = errorOf(c.DeleteVpc("vpc-missing000000000000"))
	// the wait helpers end at once on an error, not at their timeout
	answers["WaitForInstance missing"] = errorOf(c.WaitForInstance("i-missing0000000000000", ecs.Running, 10))
	answers["WaitForImageReady missing"] = errorOf(c.WaitForImageReady(region, "m-missing0000000000000", 10))
	// RequestIds of successful answers (the *WithRaw forms keep the envelope)
	raw, err := c.DescribeImagesWithRaw(&ecs.DescribeImagesArgs{RegionId: region, ImageOwnerAlias: ecs.ImageOwnerSystem})
	if r.must(err, "DescribeImagesWithRaw") {
		r.check(len(raw.RequestId) == 36, "DescribeImages RequestId %q", raw.RequestId)
		r.check(raw.TotalCount > 10 && raw.PageNumber == 1 && raw.PageSize == 10 && len(raw.Images.Image) == 10,
			"DescribeImages page: total %d, page %d, size %d, %d images", raw.TotalCount, raw.PageNumber, raw.PageSize, len(raw.Images.Image))
		for _, img := range raw.Images.Image {
			r.checkImage(img, "system", "system image "+img.ImageId)
		}
	}
	zones, err := c.DescribeZonesWithRaw(region)
	if r.must(err, "DescribeZonesWithRaw") {
		r.check(len(zones.RequestId) == 36 && len(zones.Zones.Zone) > 0, "DescribeZones: %q, %d zones", zones.RequestId, len(zones.Zones.Zone))
	}
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: packerflow build|errors|reads|regions")
		os.Exit(2)
	}
	result := map[string]interface{}{}
	var failures []string
	switch os.Args[1] {
	case "build":
		runs := []*run{{name: "vpc"}, {name: "classic"}, {name: "halted"}}
		var wg sync.WaitGroup
		for _, r := range runs {
			r.client, r.out = newClient(r.name), map[string]interface{}{}
			wg.Add(1)
			go func(r *run) {
				defer wg.Done()
				r.build("packer-" + r.name)
			}(r)
		}
		wg.Wait()
		if imgs, ok := runs[0].out["images"].(map[string]string); ok {
			runs[0].destroy(imgs)
		}
		for _, r := range runs {
			result[r.name] = r.out
			failures = append(failures, r.failures...)
		}
	case "errors":
		r := &run{name: "errors", client: newClient("errors"), out: map[string]interface{}{}}
		r.errors()
		result = r.out
		failures = r.failures
	case "reads":
		r := &run{name: "reads", out: map[string]interface{}{}}
		r.reads()
		result = r.out
		failures = r.failures
	case "regions": // one call: the builder's first
		_, err := newClient("regions").DescribeRegions()
		result["error"] = errorOf(err)
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", os.Args[1])
		os.Exit(2)
	}
	result["failures"] = failures
	if failures == nil {
		result["failures"] = []string{}
	}
	line, _ := json.Marshal(result)
	fmt.Println(string(line))
}
