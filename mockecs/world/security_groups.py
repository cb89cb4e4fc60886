"""Security group records (kind ``security_group``, :mod:`mockecs.ops.security_groups`): their index terms, declared
with the world so every group is indexed alike whichever module writes it (their module loads on its first call)."""
from __future__ import annotations

from typing import Any, Mapping

from mockecs.world import access, prefix_lists, resources

KIND = access.SECURITY_GROUP


def group_terms(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    rules = record.get("_rules") or ()
    refs = {r.get("SourceGroupId") or r.get("DestGroupId") for r in rules}
    terms = [("sg_ref", ref) for ref in refs if ref]
    # (a list's associations: DescribePrefixListAssociations, AssociationCount, DeletePrefixList's refusal)
    lists = {r.get("SourcePrefixListId") or r.get("DestPrefixListId") for r in rules}
    terms.extend(prefix_lists.used_by(pl) for pl in lists if pl)
    if record.get("VpcId"):  # DeleteVpc refuses a VPC that still has groups; DescribeSecurityGroups' VpcId filter
        terms.append(("vpc", record["VpcId"]))
    return terms


resources.TERMS[KIND] = group_terms


def capacity(group: Mapping[str, Any]) -> int:
    """Instances a group may hold (documented limits of basic and advanced groups)."""
    return 2000 if group.get("SecurityGroupType", "normal") == "normal" else 65536
