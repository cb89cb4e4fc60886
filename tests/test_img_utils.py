"""SUSE's ``aliyun-img-utils``, unchanged, against mockecs: the tool SUSE publishes its public images with.

It is an image pipeline's second half on the old SDK (``aliyunsdkcore``, signature v1, JSON): import a
disk image from OSS, wait for it, copy it to other regions, publish it (``LaunchPermission``), mark it
deprecated with tags, make it Available again, and delete it in every region. Its upload to OSS goes through
``oss2`` to mockecs' OSS fake (:func:`test_its_upload_goes_to_oss_and_import_finds_it`); the other tests start
from the object already there (the registry is lenient by default: every object exists for ImportImage).
"""
from __future__ import annotations

import json
import os

import pytest

from mockecs.modes.mock import MockECS

aliyun_image = pytest.importorskip("aliyun_img_utils.aliyun_image", reason="aliyun-img-utils is not installed")
from aliyun_img_utils.aliyun_exceptions import AliyunImageException, AliyunImageUploadException  # noqa: E402
from aliyunsdkcore.client import AcsClient  # noqa: E402
from aliyunsdkecs.request.v20140526 import DescribeImagesRequest, ModifyImageAttributeRequest  # noqa: E402

NAME = "sles-15-sp6-v20261130"
REGIONS = ["cn-beijing", "cn-hangzhou", "cn-shanghai"]


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    # The tool sleeps 30 s between polls of a Creating image, 10 s while one is being deleted: only the
    # sleeps are skipped, every poll still asks the fake (the image's delay below counts those reads).
    monkeypatch.setattr(aliyun_image.time, "sleep", lambda seconds: None)


def tool(region: str = "cn-beijing") -> aliyun_image.AliyunImage:
    return aliyun_image.AliyunImage("ak", "sk", region, bucket_name="suse-images")


def images_named(region: str, name: str = NAME) -> list[dict]:
    request = DescribeImagesRequest.DescribeImagesRequest()
    request.set_ImageName(name)
    request.set_Status("Available,Deprecated,Creating")
    return json.loads(AcsClient("ak", "sk", region).do_action_with_exception(request))["Images"]["Image"]


def test_publishing_an_image_from_import_to_deletion_in_every_region():
    with MockECS(options={"accounts_with_launch_permission": "*"}) as mock:
        mock.engine.lifecycle.delay("task", observations=3)  # (the import task) Creating for its first reads
        suse = tool()
        assert set(REGIONS) <= set(suse.get_regions())

        image_id = suse.create_compute_image(NAME, "SUSE Linux Enterprise Server 15 SP6", "sles-15-sp6.qcow2",
                                             "SUSE", disk_image_size=30, nvme_support=True)
        [image] = images_named("cn-beijing")
        assert image["ImageId"] == image_id and image["Status"] == "Available"
        assert image["Platform"] == "SUSE" and image["OSType"] == "linux" and image["Architecture"] == "x86_64"
        assert image["Features"]["NvmeSupport"] == "supported" and image["Description"].startswith("SUSE Linux")
        polls = [c for c in mock.calls if c.action == "DescribeImages" and c.params.get("ImageId") == image_id]
        assert len(polls) >= 3  # (it waited through Creating)

        copies = suse.replicate_image(NAME, regions=REGIONS)
        assert sorted(copies) == ["cn-hangzhou", "cn-shanghai"] and all(copies.values())
        for region, copy_id in copies.items():
            assert [i["ImageId"] for i in images_named(region)] == [copy_id]

        suse.publish_image(NAME, "public")
        suse.deprecate_image(NAME, replacement_image="sles-15-sp7-v20270101")
        [image] = images_named("cn-beijing")
        assert {t["TagKey"]: t["TagValue"] for t in image["Tags"]["Tag"]} == {
            "Deprecated on": suse.deprecation_date, "Removal date": suse.deletion_date,
            "Replacement image": "sles-15-sp7-v20270101"}

        # activate_image finds the image among Deprecated ones (what the console's "deprecate" sets)
        request = ModifyImageAttributeRequest.ModifyImageAttributeRequest()
        request.set_ImageId(image_id)
        request.set_Status("Deprecated")
        AcsClient("ak", "sk", "cn-beijing").do_action_with_exception(request)
        suse.activate_image(NAME)
        assert images_named("cn-beijing")[0]["Status"] == "Available"

        suse.delete_compute_image_in_regions(NAME, regions=REGIONS)
        assert all(images_named(region) == [] for region in REGIONS)
        refused = [(c.action, c.status, c.error_code) for c in mock.calls if c.status != 200]
    assert refused == []
    assert {c.params.get("LaunchPermission") for c in mock.calls if c.action == "ModifyImageSharePermission"} == \
        {"public"}


def test_launch_permission_is_invitation_only_by_default():
    """The metadata calls LaunchPermission invitation-only: an account not invited gets the documented code."""
    with MockECS() as mock:
        suse = tool()
        suse.create_compute_image(NAME, "SUSE Linux Enterprise Server 15 SP6", "sles-15-sp6.qcow2", "SUSE")
        with pytest.raises(AliyunImageException, match="ForbiddenParameter.LaunchPermission"):
            suse.publish_image(NAME, "public")
        [refused] = [c for c in mock.calls if c.status != 200]
    assert (refused.action, refused.status, refused.error_code) == \
        ("ModifyImageSharePermission", 400, "ForbiddenParameter.LaunchPermission")


def test_only_the_invited_accounts_may_set_it():
    with MockECS(options={"accounts_with_launch_permission": "1234567890123456"}) as mock:
        mock.engine.accounts.add_key("2000000000000077", "LTAI-other", "other-secret")
        tool().create_compute_image(NAME, "SUSE Linux Enterprise Server 15 SP6", "sles-15-sp6.qcow2", "SUSE")
        tool().publish_image(NAME, "public")  # the default account (1234567890123456) is invited
        other = aliyun_image.AliyunImage("LTAI-other", "other-secret", "cn-beijing", bucket_name="other")
        other.create_compute_image("other-image", "another account's image", "x.qcow2", "SUSE")
        with pytest.raises(AliyunImageException, match="ForbiddenParameter.LaunchPermission"):
            other.publish_image("other-image", "public")


def test_its_upload_goes_to_oss_and_import_finds_it(tmp_path):
    """The tool's own upload (oss2's multipart upload through its accelerate endpoint) reaches the OSS fake, and
    ImportImage finds that very object (the registry strict: nothing else exists)."""
    with MockECS() as mock:
        mock.engine.oss.strict = True
        mock.engine.oss.create_bucket("cn-beijing", "suse-images")
        image = tmp_path / "sles-15-sp6.qcow2"
        image.write_bytes(os.urandom(300 * 1024))
        suse = tool()
        assert suse.upload_image_tarball(str(image), page_size=100 * 1024) == "sles-15-sp6.qcow2"
        assert suse.image_tarball_exists("sles-15-sp6.qcow2") and not suse.image_tarball_exists("other.qcow2")
        with pytest.raises(AliyunImageUploadException, match="already exists"):
            suse.upload_image_tarball(str(image))
        stored = mock.engine.oss.get_object("cn-beijing", "suse-images", "sles-15-sp6.qcow2")
        assert stored["size"] == 300 * 1024 and stored["etag"].endswith("-3")
        image_id = suse.create_compute_image(NAME, "SUSE Linux Enterprise Server 15 SP6", "sles-15-sp6.qcow2",
                                             "SUSE")
        assert [i["ImageId"] for i in images_named("cn-beijing")] == [image_id]
        with pytest.raises(AliyunImageException, match="InvalidOSSObject.NotFound"):
            suse.create_compute_image("missing", "not uploaded", "other.qcow2", "SUSE")
        suse.delete_storage_blob("sles-15-sp6.qcow2")
        assert not suse.image_tarball_exists("sles-15-sp6.qcow2")
        uploads = [c.action for c in mock.calls if c.action in ("InitiateMultipartUpload", "UploadPart",
                                                                "CompleteMultipartUpload")]
    assert uploads == ["InitiateMultipartUpload", "UploadPart", "UploadPart", "UploadPart", "CompleteMultipartUpload"]
