import alibabacloud_ecs20140526.models as m
from tests.test_instances import REGION, LINUX, X86_TYPE, describe, disks

def test_smoke(client):
    r = client.create_launch_template(m.CreateLaunchTemplateRequest(region_id=REGION, launch_template_name="web",
        image_id=LINUX, instance_type=X86_TYPE, version_description="v1",
        system_disk=m.CreateLaunchTemplateRequestSystemDisk(category="cloud_essd", size=60),
        data_disk=[m.CreateLaunchTemplateRequestDataDisk(size=100, category="cloud_essd")],
        tag=[m.CreateLaunchTemplateRequestTag(key="a", value="b")],
        template_tag=[m.CreateLaunchTemplateRequestTemplateTag(key="t", value="1")],
        security_group_ids=["sg-1", "sg-2"],
        network_interface=[m.CreateLaunchTemplateRequestNetworkInterface(security_group_ids=["sg-x"], instance_type="Secondary")]))
    print(r.body.to_map())
    tid = r.body.launch_template_id
    print(client.describe_launch_templates(m.DescribeLaunchTemplatesRequest(region_id=REGION)).body.to_map())
    print(client.describe_launch_templates(m.DescribeLaunchTemplatesRequest(region_id=REGION, launch_template_name=["web"])).body.to_map())
    v = client.describe_launch_template_versions(m.DescribeLaunchTemplateVersionsRequest(region_id=REGION, launch_template_id=tid))
    print(v.body.to_map())
    r2 = client.create_launch_template_version(m.CreateLaunchTemplateVersionRequest(region_id=REGION, launch_template_id=tid, image_id=LINUX, instance_type="ecs.c7.large"))
    print(r2.body.to_map())
    print(client.modify_launch_template_default_version(m.ModifyLaunchTemplateDefaultVersionRequest(region_id=REGION, launch_template_id=tid, default_version_number=2)).body.to_map())
    run = client.run_instances(m.RunInstancesRequest(region_id=REGION, launch_template_id=tid))
    iid = run.body.instance_id_sets.instance_id_set[0]
    print(describe(client, iid)["InstanceType"])
    run = client.run_instances(m.RunInstancesRequest(region_id=REGION, launch_template_name="web", launch_template_version=1))
    iid = run.body.instance_id_sets.instance_id_set[0]
    print(describe(client, iid)["InstanceType"], [ (d["Size"], d["Category"]) for d in disks(client, iid)])
    print(client.delete_launch_template_version(m.DeleteLaunchTemplateVersionRequest(region_id=REGION, launch_template_id=tid, delete_version=[1])).body.to_map())
    print(client.delete_launch_template(m.DeleteLaunchTemplateRequest(region_id=REGION, launch_template_id=tid)).body.to_map())
    assert 0
