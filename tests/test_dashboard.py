"""The dashboard at ``/_mockecs/`` in a real headless Chromium (Debian's ``chromium``, driven by Playwright).

State is made through the SDK against a server thread; the tests read what the page shows and click its
buttons. Screenshots go to the test's tmp dir (``MOCKECS_DOCS_SCREENSHOT=1`` also refreshes
``docs/dashboard.png``).
"""
from __future__ import annotations

import os
import shutil

import pytest
import requests
from alibabacloud_ecs20140526 import models
from alibabacloud_tea_openapi.exceptions import ClientException

from mockecs import mock_ecs
from mockecs.modes.clients import server_client
from mockecs.modes.server import ServerThread

pytest.importorskip("jinja2", reason="the dashboard extra is not installed")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                reason="chromium is not installed (apt-get install chromium)")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
DOCS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs")
IMAGE = "aliyun_3_x64_20G_alibase_20240819.vhd"


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def server():
    with ServerThread() as srv:
        yield srv


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    yield page
    context.close()
    assert errors == []  # no script error on the page


def make_state(server) -> dict:
    server.engine.accounts.add_account("2222333344445555")
    ecs = server_client(server.url)
    run = ecs.run_instances(models.RunInstancesRequest(region_id="cn-hangzhou", image_id=IMAGE,
                                                       instance_type="ecs.g7.large"))
    instance_id = run.body.instance_id_sets.instance_id_set[0]
    image_id = ecs.create_image(models.CreateImageRequest(
        region_id="cn-hangzhou", instance_id=instance_id, image_name="web-2024-06", image_family="web",
        tag=[models.CreateImageRequestTag(key="team", value="blue")])).body.image_id
    ecs.modify_image_share_permission(models.ModifyImageSharePermissionRequest(
        region_id="cn-hangzhou", image_id=image_id, add_account=["2222333344445555"]))
    with pytest.raises(ClientException):  # a public image the caller cannot delete (a missing id is ignored)
        ecs.delete_image(models.DeleteImageRequest(region_id="cn-hangzhou", image_id=IMAGE))
    beijing = server_client(server.url, region_id="cn-beijing")
    beijing.run_instances(models.RunInstancesRequest(region_id="cn-beijing", image_id=IMAGE,
                                                     instance_type="ecs.g7.large"))
    server.engine.inject("DescribeImages", "Throttling", times=2)
    server.engine.lifecycle.delay("snapshot", 30)
    vpc_id = beijing.create_vpc(models.CreateVpcRequest(region_id="cn-beijing", vpc_name="net-1")).body.vpc_id
    return {"instance": instance_id, "image": image_id, "vpc": vpc_id}


def rows(page, selector: str) -> list[list[str]]:
    return page.eval_on_selector_all(f"{selector} tbody tr",
                                     "rows => rows.map(r => [...r.cells].map(c => c.textContent.trim()))")


def test_dashboard_shows_state_calls_faults_and_delays(server, page, tmp_path):
    made = make_state(server)
    page.goto(server.dashboard_url)
    images = rows(page, "#kind-image")
    assert len(images) == 1
    image = dict(zip(page.eval_on_selector_all("#kind-image thead th", "hs => hs.map(h => h.textContent)"),
                     images[0]))
    assert image["ImageId"] == made["image"] and image["ImageName"] == "web-2024-06"
    assert image["Status"] == "Available" and image["ImageOwnerAlias"] == "self" and image["ImageFamily"] == "web"
    assert image["Tags"] == "team=blue" and image["Shares"] == "2222333344445555"
    assert [r[0] for r in rows(page, "#kind-instance")] == [made["instance"]]
    options = page.eval_on_selector_all("#region option", "os => os.map(o => o.textContent)")
    assert "cn-beijing (3)" in options and "cn-hangzhou (4)" in options  # instance+disk(+vpc); +image+snapshot
    assert rows(page, "#faults")[0][:4] == ["DescribeImages", "Throttling", "400", "2"]
    assert rows(page, "#delays")[0][:2] == ["snapshot", "30"]

    # the live call record, newest first, with filters
    page.wait_for_selector("#calls tbody tr")
    calls = rows(page, "#calls")
    assert [c[1] for c in calls] == ["CreateVpc", "RunInstances", "DeleteImage", "ModifyImageSharePermission",
                                     "CreateImage", "RunInstances"]
    assert calls[2][4:6] == ["404", "InvalidImageId.NotFound"] and float(calls[2][6]) >= 0
    page.fill("#filter-action", "image")
    assert [c[1] for c in rows(page, "#calls")] == ["DeleteImage", "ModifyImageSharePermission", "CreateImage"]
    page.fill("#filter-action", "")
    page.select_option("#filter-status", "error")
    assert [c[1] for c in rows(page, "#calls")] == ["DeleteImage"]
    page.select_option("#filter-status", "")
    requests.get(server.url + "/?Action=DescribeRegions&Version=2014-05-26&Format=JSON", timeout=10)
    page.wait_for_function("document.querySelector('#calls tbody tr .action').textContent === 'DescribeRegions'")
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    if os.environ.get("MOCKECS_DOCS_SCREENSHOT"):
        page.screenshot(path=os.path.join(DOCS, "dashboard.png"), full_page=True)

    # another region shows its own resources
    page.select_option("#region", "cn-beijing")
    page.wait_for_url("**region=cn-beijing**")
    assert page.query_selector("#kind-image") is None and len(rows(page, "#kind-instance")) == 1
    # a kind the dashboard has no columns for (added by another module) shows up on its own
    vpc = dict(zip(page.eval_on_selector_all("#kind-vpc thead th", "hs => hs.map(h => h.textContent)"),
                   rows(page, "#kind-vpc")[0]))
    assert vpc["VpcId"] == made["vpc"] and vpc["VpcName"] == "net-1" and vpc["Status"] in ("Available", "Pending")


def test_dashboard_buttons(server, page, tmp_path):
    make_state(server)
    page.goto(server.url + "/_mockecs/")
    # the clock
    page.fill("#advance-seconds", "90")
    page.click("#advance")
    page.wait_for_function("document.querySelector('#clock-offset').textContent === '90'")
    assert server.engine.clock.offset == 90
    # faults: add through the form, remove with its button
    page.fill("#fault-form input[name=action]", "CopyImage")
    page.fill("#fault-form input[name=code]", "QuotaExceed.Image")
    page.click("#fault-form button")
    page.wait_for_function("document.querySelectorAll('#faults tbody tr').length === 2")
    assert [(f.action, f.code) for f in server.engine.faults][-1] == ("CopyImage", "QuotaExceed.Image")
    page.click("#faults tbody tr:first-child .remove-fault")
    page.wait_for_function("document.querySelectorAll('#faults tbody tr').length === 1")
    assert [f.action for f in server.engine.faults] == ["CopyImage"]
    page.fill("#fault-form input[name=action]", "NoSuchAction")
    page.click("#fault-form button")
    page.wait_for_function("document.querySelector('#fault-error').textContent.includes('NoSuchAction')")
    # lifecycle delays
    page.fill("#delay-form input[name=target]", "image")
    page.click("#delay-form button")
    page.wait_for_function("document.querySelectorAll('#delays tbody tr').length === 2")
    page.click("#delays tr:has(td:text-is('snapshot')) .remove-delay")
    page.wait_for_function("document.querySelectorAll('#delays tbody tr').length === 1")
    assert set(server.engine.lifecycle.by_kind) == {"image"}
    page.screenshot(path=str(tmp_path / "buttons.png"), full_page=True)
    # reset forgets everything
    page.click("#reset")
    page.wait_for_selector("#no-resources")
    page.wait_for_selector("#no-faults")
    assert server.engine.clock.offset == 0 and server.engine.faults == [] and server.engine.calls == []
    assert page.inner_text("#clock-offset") == "0"


def test_dashboard_url_from_mock_ecs(browser):
    with mock_ecs() as m:
        from tests.sdk import new_client

        new_client().describe_regions(models.DescribeRegionsRequest())
        url = m.dashboard_url()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/_mockecs/")
        assert m.dashboard_url() == url  # one server per mock
        page = browser.new_page()
        page.goto(url)
        page.wait_for_selector("#calls tbody tr")
        assert rows(page, "#calls")[0][1] == "DescribeRegions"  # the mock's own engine
        page.close()
    with pytest.raises(requests.ConnectionError):
        requests.get(url, timeout=5)  # stopped with the mock


def test_dashboard_shows_oss_buckets_and_objects(server, page):
    """The account's buckets in the region, read only: ACL, class, the first objects by name with their size,
    ETag, ACL and tags; another region's and another account's buckets are not shown."""
    oss2 = pytest.importorskip("oss2", reason="oss2 is not installed")
    from mockecs.modes.server import dashboard

    b = oss2.Bucket(oss2.Auth("LTAI-any", "secret"), server.url, "dash-images")  # (path-style, the server)
    b.create_bucket(oss2.BUCKET_ACL_PUBLIC_READ)
    b.put_object("builds/disk.raw", b"disk", headers={"x-oss-tagging": "build=7", "x-oss-object-acl": "private"})
    b.put_object("a.txt", b"a")
    server.engine.oss.put_object("cn-beijing", "dash-beijing", "exported.raw", size=2**20)
    server.engine.oss.put_object("cn-hangzhou", "dash-theirs", "x", account="2222333344445555")
    page.goto(server.dashboard_url)
    assert page.eval_on_selector_all(".oss-bucket", "bs => bs.map(b => b.dataset.bucket)") == ["dash-images"]
    assert page.inner_text("#bucket-dash-images .bucket-about").startswith("public-read · Standard · created ")
    listed = rows(page, "#bucket-dash-images")
    heads = page.eval_on_selector_all("#bucket-dash-images thead th", "hs => hs.map(h => h.textContent)")
    assert heads == ["Key", "Size", "ETag", "LastModified", "StorageClass", "ACL", "Tags"]
    assert [r[0] for r in listed] == ["a.txt", "builds/disk.raw"]
    disk = dict(zip(heads, listed[1]))
    assert (disk["Size"], disk["ETag"], disk["ACL"], disk["Tags"]) == \
        ("4", b.head_object("builds/disk.raw").etag, "private", "build=7")
    assert page.query_selector("#no-resources") is None  # (buckets are something to show)
    page.goto(server.dashboard_url + "?region=cn-beijing")
    assert rows(page, "#bucket-dash-beijing")[0][:2] == ["exported.raw", str(2**20)]
    for n in range(dashboard.OSS_OBJECTS_SHOWN + 1):
        server.engine.oss.put_object("cn-beijing", "dash-beijing", f"more/{n:03d}", size=1)
    page.reload()
    assert len(rows(page, "#bucket-dash-beijing")) == dashboard.OSS_OBJECTS_SHOWN
    assert page.query_selector("#bucket-dash-beijing .more-objects") is not None
