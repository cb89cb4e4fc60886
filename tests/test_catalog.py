"""The preloaded catalog: loaded once and shared, extended/replaced by hooks and data files."""
from __future__ import annotations

import json
from types import MappingProxyType

import pluggy
import pytest
from alibabacloud_ecs20140526 import models

from mockecs.engine.core import BUILTIN_PLUGINS, Config, Engine
from mockecs.modes.mock import MockECS
from mockecs.state import hookspecs
from mockecs.state.hookspecs import hookimpl
from mockecs.world import catalog
from tests.sdk import DEFAULT_ACCOUNT, make_account, new_client

UBUNTU = "ubuntu_22_04_x64_20G_alibase_20240130.vhd"
WIN = "win2022_21H2_x64_dtc_en-us_40G_alibase_20250817.vhd"
SHARED = {"m-bp1dc58gqpyb3oso36hl", "m-bp1ba0odx2jivstpdqcq", "m-bp1qwmh77ibg3qarstev"}


def manager(*plugins) -> pluggy.PluginManager:
    """A fresh plugin manager: the built-in plugins plus ``plugins`` (the global one stays untouched)."""
    pm = pluggy.PluginManager("mockecs")
    pm.add_hookspecs(hookspecs)
    for plugin in BUILTIN_PLUGINS:
        pm.register(plugin(), name=f"mockecs.{plugin.__name__}")
    for plugin in plugins:
        pm.register(plugin)
    return pm


def describe(client, **kw) -> list[dict]:
    kw.setdefault("region_id", "cn-hangzhou")
    kw.setdefault("page_size", 100)
    body = client.describe_images(models.DescribeImagesRequest(**kw)).body.to_map()
    return body["Images"]["Image"]


def ids(client, **kw) -> set[str]:
    return {i["ImageId"] for i in describe(client, **kw)}


# -- loading once ------------------------------------------------------------------------------
def test_builtin_catalog_contents():
    cat = Engine().catalog
    assert len(cat.ids("system")) >= 40
    assert len(cat.ids("marketplace")) == 8 and len(cat.ids("community")) == 5
    assert set(cat.ids("shared")) == SHARED
    platforms = {cat.get(i)["Platform"] for i in cat.ids("system")}
    assert {"Aliyun", "Ubuntu", "CentOS", "Debian", "Anolis", "Rocky Linux", "AlmaLinux", "OpenSUSE", "Fedora",
            "FreeBSD", "SUSE", "RedHat", "Windows Server 2022"} <= platforms
    assert {cat.get(i)["Architecture"] for i in cat.ids("system")} >= {"x86_64", "arm64"}
    assert any(cat.get(i)["Status"] == "Deprecated" for i in cat.ids("system"))
    assert all(cat.get(i)["ImageFamily"].startswith("acs:") for i in cat.ids("system") if cat.get(i)["ImageFamily"])


def test_catalog_is_loaded_once_and_shared_by_engines():
    first, second = Engine(), Engine(Config(region="eu-central-1"))
    assert first.catalog is second.catalog
    first.reset()
    assert first.catalog is second.catalog and len(first.catalog) > 60


def test_catalog_records_are_read_only():
    record = Engine().catalog.get(UBUNTU)
    assert isinstance(record, MappingProxyType)
    with pytest.raises(TypeError):
        record["ImageName"] = "changed"  # type: ignore[index]


def test_catalog_off_is_empty():
    assert len(Engine(Config(catalog=False)).catalog) == 0


def test_catalog_accounts_survive_reset():
    engine = Engine()
    engine.reset()
    for account in ("1111222233334444", "5555666677778888", "9999000011112222"):
        assert engine.accounts.exists(account)


def test_public_images_in_every_region(mock):
    for region in ("cn-hangzhou", "eu-central-1", "ap-southeast-1"):
        found = ids(new_client(region=region), region_id=region, image_owner_alias="system", image_id=UBUNTU)
        assert found == {UBUNTU}


# -- who sees the shared catalog images ----------------------------------------------------------
def test_default_account_sees_the_catalog_shared_images(client):
    seen = describe(client, image_owner_alias="others")
    assert {i["ImageId"] for i in seen} == SHARED
    for image in seen:
        assert image["ImageOwnerAlias"] == "others" and image["IsPublic"] is False
        assert image["ImageOwnerId"] == 9999000011112222


def test_other_accounts_do_not_see_them(mock, other):
    assert ids(other.client, image_owner_alias="others") == set()
    assert ids(other.client, image_id=",".join(sorted(SHARED))) == set()
    # ... while community images are everyone's
    assert len(ids(other.client, image_owner_alias="others", is_public=True)) == 5


def test_default_account_launches_a_catalog_shared_image(client):
    resp = client.run_instances(models.RunInstancesRequest(
        region_id="cn-hangzhou", image_id="m-bp1dc58gqpyb3oso36hl", instance_type="ecs.g7.large"))
    assert len(resp.body.instance_id_sets.instance_id_set) == 1


# -- user additions and replacements -------------------------------------------------------------
NEW_IMAGE = {"ImageId": "m-bp1userimage00000001", "ImageName": "golden-base", "ImageOwnerAlias": "others",
             "IsPublic": True, "OSType": "linux", "Platform": "Ubuntu", "_owner": "5555666677778888"}


def replaced_ubuntu(name: str) -> dict:
    return {**dict(Engine().catalog.get(UBUNTU)), "Description": name}


def test_data_file_adds_and_replaces_entries(tmp_path):
    path = tmp_path / "extra.json"
    path.write_text(json.dumps({"images": [NEW_IMAGE, replaced_ubuntu("from a data file")],
                                "accounts": [{"AccountId": "7777666655554444"}]}))
    with MockECS(config=Config(catalog_files=(str(path),))) as mock:
        cat = mock.engine.catalog
        assert cat.get(UBUNTU)["Description"] == "from a data file"
        assert mock.engine.accounts.exists("7777666655554444")
        c = new_client()
        got = describe(c, image_owner_alias="system", image_id=UBUNTU)
        assert [i["Description"] for i in got] == ["from a data file"]
        community = describe(c, image_owner_alias="others", is_public=True, image_id=NEW_IMAGE["ImageId"])
        assert len(community) == 1
        # a minimal entry is completed with the wire defaults
        record = community[0]
        assert record["Status"] == "Available" and record["Architecture"] == "x86_64"
        assert record["DiskDeviceMappings"]["DiskDeviceMapping"][0]["Size"] == "20"
    # the built-in catalog is unchanged for everyone else
    assert Engine().catalog.get(UBUNTU)["Description"] != "from a data file"


def test_data_file_may_be_a_bare_list(tmp_path):
    path = tmp_path / "list.json"
    path.write_text(json.dumps([NEW_IMAGE]))
    assert Engine(Config(catalog_files=(path,))).catalog.get(NEW_IMAGE["ImageId"])["ImageName"] == "golden-base"


def test_rewritten_data_file_is_reloaded(tmp_path):
    path = tmp_path / "extra.json"
    path.write_text(json.dumps([replaced_ubuntu("one")]))
    assert Engine(Config(catalog_files=(str(path),))).catalog.get(UBUNTU)["Description"] == "one"
    path.write_text(json.dumps([replaced_ubuntu("two, longer")]))
    assert Engine(Config(catalog_files=(str(path),))).catalog.get(UBUNTU)["Description"] == "two, longer"


def test_entry_without_image_id_is_refused(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([{"ImageName": "no id"}]))
    with pytest.raises(ValueError, match="ImageId"):
        Engine(Config(catalog_files=(str(path),)))


class EntriesPlugin:
    @hookimpl
    def mockecs_catalog_entries(self):
        return [NEW_IMAGE, replaced_ubuntu("from a hook")]


class FilesPlugin:
    def __init__(self, path):
        self.path = path

    @hookimpl
    def mockecs_catalog_files(self):
        return [self.path]


def test_hook_entries_add_and_replace():
    engine = Engine(plugins=manager(EntriesPlugin()))
    assert engine.catalog.get(UBUNTU)["Description"] == "from a hook"
    assert engine.catalog.get(NEW_IMAGE["ImageId"]) is not None
    assert NEW_IMAGE["ImageId"] in engine.catalog.ids("community")
    # the same entries again: the same shared catalog object, not a rebuild
    assert Engine(plugins=manager(EntriesPlugin())).catalog is engine.catalog
    with MockECS(engine):
        got = describe(new_client(), image_owner_alias="system", image_id=UBUNTU)
        assert got[0]["Description"] == "from a hook"


def test_hook_files_are_loaded(tmp_path):
    path = tmp_path / "plugin.json"
    path.write_text(json.dumps({"images": [replaced_ubuntu("from a plugin file")]}))
    engine = Engine(plugins=manager(FilesPlugin(str(path))))
    assert engine.catalog.get(UBUNTU)["Description"] == "from a plugin file"


def test_hook_entries_win_over_files(tmp_path):
    path = tmp_path / "extra.json"
    path.write_text(json.dumps([replaced_ubuntu("file")]))
    engine = Engine(Config(catalog_files=(str(path),)), plugins=manager(EntriesPlugin()))
    assert engine.catalog.get(UBUNTU)["Description"] == "from a hook"


def test_replacement_can_change_the_kind_of_an_entry():
    # A public image turned into a Marketplace one: indexes follow the replacement.
    entry = {**replaced_ubuntu("now sold"), "ImageOwnerAlias": "marketplace", "ProductCode": "cmjjuser01",
             "_price_per_hour": 0.3}
    cat = catalog.load(catalog.builtin_files(), [entry])
    assert UBUNTU in cat.ids("marketplace") and UBUNTU not in cat.ids("system")
    assert cat.by_product["cmjjuser01"] == UBUNTU


def test_shared_entry_from_a_user_file_is_visible_only_to_its_recipient(tmp_path):
    recipient = "3333444455556666"
    entry = {"ImageId": "m-bp1usershared0000001", "ImageName": "handed-over", "_owner": "9999000011112222",
             "_shared_with": [recipient]}
    path = tmp_path / "shared.json"
    path.write_text(json.dumps([entry]))
    with MockECS(config=Config(catalog_files=(str(path),))) as mock:
        them = make_account(mock.engine, recipient)
        assert ids(them.client, image_owner_alias="others") == {"m-bp1usershared0000001"}
        assert "m-bp1usershared0000001" not in ids(new_client(), image_owner_alias="others")
        assert DEFAULT_ACCOUNT != recipient


# -- end of support ------------------------------------------------------------------------------
EOL = {"centos_7_9_x64_20G_alibase_20240628.vhd": "acs:centos_7_9_x64",
       "ubuntu_18_04_x64_20G_alibase_20240223.vhd": "acs:ubuntu_18_04_x64",
       "win2012r2_9600_x64_dtc_en-us_40G_alibase_20231220.vhd": "acs:win_2012_r2_datacenter_x64_en"}


def test_public_images_past_their_end_of_support_are_deprecated(client):
    listed = ids(client, image_owner_alias="system")
    deprecated = ids(client, image_owner_alias="system", status="Deprecated")
    for image_id, family in EOL.items():
        assert image_id not in listed and image_id in deprecated  # hidden from the default listing
        found = describe(client, image_id=image_id, status="ALL")[0]
        assert found["Status"] == "Deprecated" and found["Usable"] is True
        # The family has no Available image left.
        body = client.describe_image_from_family(models.DescribeImageFromFamilyRequest(
            region_id="cn-hangzhou", image_family=family)).body.to_map()
        assert not body.get("Image", {}).get("ImageId")
    assert describe(client, image_id="win2012r2_9600_x64_dtc_en-us_40G_alibase_20231220.vhd",
                    status="ALL")[0]["IsSupportCloudinit"] is False
    # Still launchable by id, as existing automation keeps doing after the end of support.
    run = client.run_instances(models.RunInstancesRequest(
        region_id="cn-hangzhou", image_id="centos_7_9_x64_20G_alibase_20240628.vhd", instance_type="ecs.g7.large"))
    assert run.body.instance_id_sets.instance_id_set
