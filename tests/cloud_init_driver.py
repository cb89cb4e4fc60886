"""Runs cloud-init's AliYun datasource, unchanged, and prints what it read as JSON (for tests/test_cloud_init.py).

Run by Debian's /usr/bin/python3 with Debian's ``cloudinit`` package (not the project's venv), as a subprocess whose
``HTTP_PROXY`` is a mockecs server (or in-process, see ``main``). Only the machine is faked: the DMI product name
(cloud-init believes it is on ECS only when ``system-product-name`` says "Alibaba Cloud ECS") and the machine's NICs
(``net.get_interfaces_by_mac``: the instance's MAC addresses, named as argv's JSON ``nics`` says); every byte
cloud-init reads comes from the metadata service over HTTP.

argv[1]: JSON ``{"nics": {"00:16:3e:..": "eth0", ...}, "max_wait": 10}``.
Output (stdout): JSON with the datasource's answers (``ok``: ``get_data()``), and ``urls``: each URL it opened.
"""
from __future__ import annotations

import base64
import json
import logging
import sys
import tempfile


def run(options: dict) -> dict:
    from cloudinit import dmi, helpers, net, url_helper
    from cloudinit.sources import DataSourceAliYun

    urls: list = []
    readurl = url_helper.readurl

    def recording_readurl(url, *args, **kwargs):  # (what it asks, in order: the test checks the paths)
        urls.append([kwargs.get("request_method") or "GET", url])
        return readurl(url, *args, **kwargs)

    url_helper.readurl = recording_readurl
    real_dmi = dmi.read_dmi_data
    dmi.read_dmi_data = lambda key: "Alibaba Cloud ECS" if key == "system-product-name" else real_dmi(key)
    nics = options.get("nics") or {}
    net.get_interfaces_by_mac = lambda *a, **k: dict(nics)
    tmp = tempfile.mkdtemp(prefix="mockecs-cloud-init-")
    paths = helpers.Paths({"cloud_dir": tmp, "run_dir": tmp})
    wait = options.get("max_wait", 10)
    sys_cfg = {"datasource": {"AliYun": {"max_wait": wait, "timeout": 5}}}
    ds = DataSourceAliYun.DataSourceAliYun(sys_cfg, distro=None, paths=paths)
    ds._fallback_interface = sorted(nics.items(), key=lambda kv: kv[1])[0][1] if nics else "eth0"
    ok = ds.get_data()
    out: dict = {"ok": ok, "urls": urls, "cloud_name": ds.cloud_name}
    if not ok:
        return out
    raw = ds.get_userdata_raw()
    out.update({
        "metadata": ds.metadata,
        "userdata_b64": base64.b64encode(raw if isinstance(raw, bytes) else raw.encode()).decode(),
        "instance_id": ds.get_instance_id(),
        "hostname": ds.get_hostname().hostname,
        "public_keys": ds.get_public_ssh_keys(),
        "availability_zone": ds.availability_zone,
        "region": ds.region,
        "platform": ds.platform_type,
        "subplatform": ds.subplatform,
        "network_config": ds.network_config,
        "api_version": ds._crawled_metadata.get("_metadata_api_version"),
    })
    return out


def main() -> None:
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    options = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    json.dump(run(options), sys.stdout, default=str)


if __name__ == "__main__":
    main()
