"""What an instance printed on its serial console when it last started (GetInstanceConsoleOutput).

mockecs boots nothing: the log is made up from the instance's record (host name, image and OS, vCPUs, memory,
private address and MAC) and the moment it last started (``StartTime``, on the mock clock), in the form the
service answers (the metadata's example: the kernel's messages, the init system's, cloud-init's, then the OS
banner and the login prompt). The same start gives the same log (its small variations, PIDs and timings, are
seeded by the instance id and the start time); each start gives a new one. Lines carry the kernel's seconds since
boot; the log ends with the login prompt, ``BOOT_SECONDS`` after the start at most.
"""
from __future__ import annotations

import hashlib
import random
import re
import time
from typing import Any, Mapping, Optional

from mockecs.world import networks, resources

BEIJING = 8 * 3600  # LastUpdateTime is Beijing time (the metadata)
BOOT_SECONDS = 9.0  # the login prompt comes this long after the start, at most
# A kernel each platform plausibly boots (the distribution's own naming), by image Platform.
KERNELS = {
    "Aliyun": "5.10.134-16.3.al8", "Anolis": "5.10.134-16.3.an8", "CentOS": "3.10.0-1160.119.1.el7",
    "CentOS Stream": "5.14.0-503.el9", "Rocky Linux": "5.14.0-427.13.1.el9_4", "AlmaLinux": "5.14.0-427.13.1.el9_4",
    "RedHat": "5.14.0-427.13.1.el9_4", "Fedora": "6.8.5-301.fc40", "Fedora CoreOS": "6.8.5-301.fc40",
    "Ubuntu": "5.15.0-117-generic", "Debian": "6.1.0-23", "SUSE": "5.14.21-150500.55.65-default",
    "OpenSUSE": "6.4.0-150600.23.7-default",
}
DEFAULT_KERNEL = "5.10.0"
# uname -m as the kernel prints it, by image Architecture
MACHINES = {"x86_64": "x86_64", "arm64": "aarch64", "aarch64": "aarch64", "i386": "i686"}
# systemd's "[  OK  ]" in green, as it writes it to a terminal: RemoveSymbols takes these out
OK = "[\x1b[0;32m  OK  \x1b[0m]"
_SYMBOLS = re.compile(r"\x1b\[[0-9;]*[A-Za-z]|[\x00-\x08\x0b-\x1f\x7f]")


def started_at(instance: Mapping[str, Any]) -> Optional[float]:
    """When the instance last started (its ``StartTime``), None if it never has."""
    text = instance.get("StartTime") or ""
    return resources.parse_iso(text) if text else None


def boot_log(instance: Mapping[str, Any], image: Optional[Mapping[str, Any]], start: float) -> tuple[str, float]:
    """The console text of ``instance`` started at ``start`` (mock-clock seconds) and when its last line was
    printed. ``image``: the instance's image record if it still exists (its Platform and Architecture)."""
    seed = hashlib.sha256(f"{instance['InstanceId']}|{start}".encode()).digest()
    rng = random.Random(seed)
    image = image or {}
    platform = image.get("Platform") or _platform_from_name(instance.get("OSNameEn") or "")
    machine = MACHINES.get(image.get("Architecture") or "x86_64", "x86_64")
    if platform == "FreeBSD":
        return _freebsd(instance, rng, start)
    kernel = KERNELS.get(platform, DEFAULT_KERNEL)
    release = kernel if kernel.endswith("-generic") or platform in ("Debian", "SUSE", "OpenSUSE") \
        else f"{kernel}.{machine}"
    host = instance.get("HostName") or instance["InstanceId"]
    os_name = instance.get("OSNameEn") or instance.get("OSName") or platform or "Linux"
    cpus, memory_mib = int(instance.get("Cpu") or 1), int(instance.get("Memory") or 1024)
    ip, mac = _address(instance)
    root_uuid = "-".join(seed.hex()[a:b] for a, b in ((0, 8), (8, 12), (12, 16), (16, 20), (20, 32)))
    moment = start + 4.0 + rng.random()
    stamp = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(moment))
    pid = rng.randrange(600, 1200)
    finished = 7.2 + rng.random()
    lines: list[tuple[float, str]] = [
        (0.0, f"Linux version {release} (mockbuild@alibaba-cloud) #1 SMP"),
        (0.0, f"Command line: BOOT_IMAGE=/boot/vmlinuz-{release} root=UUID={root_uuid} ro console=tty0 "
              "console=ttyS0,115200n8 net.ifnames=0 crashkernel=auto"),
        (0.0, "DMI: Alibaba Cloud Alibaba Cloud ECS, BIOS 0.0.0 02/06/2015"),
        (0.0, "Hypervisor detected: KVM"),
        (0.02, f"Memory: {memory_mib * 1024 - rng.randrange(90_000, 160_000)}K/{memory_mib * 1024}K available"),
        (0.09, f"smp: Brought up 1 node, {cpus} CPU{'s' if cpus > 1 else ''}"),
        (0.6, "virtio_blk virtio2: [vda] 83886080 512-byte logical blocks (42.9 GB/40.0 GiB)"),
        (0.9 + rng.random() / 4, "EXT4-fs (vda1): mounted filesystem with ordered data mode. Quota mode: none."),
        (1.4, "systemd[1]: Detected virtualization kvm."),
        (1.4, f"systemd[1]: Set hostname to <{host}>."),
        (2.1, f"{OK} Started Journal Service."),
        (2.8, f"{OK} Reached target Local File Systems."),
        (3.3, f"{OK} Started Network Manager."),
        (4.0, f"cloud-init[{pid}]: Cloud-init v. 23.4 running 'init' at {stamp}. Up 4.02 seconds."),
        (4.1, f"cloud-init[{pid}]: ci-info: | eth0 | True | {ip} | 255.255.255.0 | global | {mac} |"),
        (4.6, f"cloud-init[{pid}]: instance {instance['InstanceId']} from image {instance.get('ImageId') or ''}"),
        (5.3, f"{OK} Started OpenSSH server daemon."),
        (5.9, f"{OK} Started Aliyun Assist (Cloud Assistant agent)."),
        (6.4, f"{OK} Reached target Multi-User System."),
        (finished, f"cloud-init[{pid + 41}]: Cloud-init v. 23.4 finished. Datasource DataSourceAliYun. "
                   f"Up {finished:.2f} seconds"),
    ]
    text = "".join(f"[{at:12.6f}] {line}\n" for at, line in lines)
    text += f"\n{os_name}\nKernel {release} on an {machine}\n\n{host} login: "
    return text, start + min(lines[-1][0] + 1, BOOT_SECONDS)


def _freebsd(instance: Mapping[str, Any], rng: random.Random, start: float) -> tuple[str, float]:
    host = instance.get("HostName") or instance["InstanceId"]
    text = (f"FreeBSD is a registered trademark of The FreeBSD Foundation.\nFreeBSD 14.1-RELEASE GENERIC amd64\n"
            f"vtblk0: <VirtIO Block Adapter> on virtio_pci1\nvtnet0: Ethernet address: {_address(instance)[1]}\n"
            f"Setting hostname: {host}.\nStarting sshd.\nStarting cloudinit.\n\n"
            f"FreeBSD/amd64 ({host}) (ttyu0)\n\nlogin: ")
    return text, start + 6.0 + rng.random()


def _platform_from_name(os_name: str) -> str:
    """An image Platform from an OS name, for an instance whose image was deleted."""
    for platform in sorted(KERNELS, key=len, reverse=True):
        if platform.lower() in os_name.lower():
            return platform
    return "Aliyun" if "alibaba" in os_name.lower() else ""


def _address(instance: Mapping[str, Any]) -> tuple[str, str]:
    """The instance's first private address and its MAC address."""
    vpc_ips = ((instance.get("VpcAttributes") or {}).get("PrivateIpAddress") or {}).get("IpAddress") or []
    inner = (instance.get("InnerIpAddress") or {}).get("IpAddress") or []
    enis = (instance.get("NetworkInterfaces") or {}).get("NetworkInterface") or []
    mac = enis[0]["MacAddress"] if enis else networks.mac_address(instance["InstanceId"])
    return (vpc_ips or inner or [""])[0], mac


def without_symbols(text: str) -> str:
    """RemoveSymbols: the text without terminal escape sequences and control characters (new lines stay)."""
    return _SYMBOLS.sub("", text)


def beijing_time(ts: float) -> str:
    """LastUpdateTime's form: ``2018-03-22 10:04:57``, Beijing time."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ts + BEIJING))
