"""The OSS stand-in: which buckets and objects "exist" for ImportImage / ExportImage, and what OSS's object API
(:mod:`mockecs.ops.oss`) reads and writes: one registry, so an uploaded object is what ImportImage finds and an
exported one is downloadable.

mockecs talks to no real OSS. ImportImage asks the ``mockecs_oss_object`` hook about each
object it imports; the built-in answer (:class:`BuiltinOssPlugin`, ``trylast``) comes from
``engine.oss``, a small registry kept **in the store** (kinds ``oss_bucket``,
``oss_object``, ``oss_setting``) so ``engine.reset()``, snapshots and ``export_state``
cover it like any other state::

    engine.oss.create_bucket("cn-hangzhou", "images")
    engine.oss.put_object("cn-hangzhou", "images", "disk.qcow2", size=2 * 1024 ** 3)
    engine.oss.strict = True      # from now on only registered buckets/objects exist

Lenient (the default): every bucket and object exists, an unregistered object having
:data:`DEFAULT_SIZE` bytes. A plugin that implements ``mockecs_oss_object`` itself and answers
non-None replaces this entirely (for ImportImage; the OSS API reads the registry). ExportImage writes its object
here; it is listed once the export task is ``Finished``.

Objects uploaded through the OSS API keep their size, ETag, CRC-64 and metadata, and their bytes (kind
``oss_content``) while they fit ``oss_keep_bytes`` per object and ``oss_keep_total`` in all. An object the API
never wrote (ExportImage's, ``put_object``'s) reads as zeros of its size, an empty disk, hashed as such
(:func:`etag_of`, :func:`crc_of`) without hashing its GiBs. Buckets are indexed by name (global) and owner.
"""
from __future__ import annotations

import base64
import hashlib
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Iterator, Optional

from mockecs.state.hookspecs import hookimpl
from mockecs.state.store import Transaction
from mockecs.wire import crc64
from mockecs.world import regions, resources
from mockecs.world.context import Context

GIB = 1024 ** 3
DEFAULT_SIZE = GIB  # an unregistered object in lenient mode: small enough for any DiskImageSize (>= 5 GiB)
_SETTINGS = "settings"


def _bucket_id(region: str, bucket: str) -> str:
    return f"{region}|{bucket}"


def _object_id(region: str, bucket: str, name: str) -> str:
    return f"{region}|{bucket}|{name}"


class Oss:
    """Per-engine OSS registry (``engine.oss``). Every method takes an optional ``txn`` so an
    operation writes inside its own transaction (rolled back with it); without one, the
    method runs in a transaction of its own."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine

    @contextmanager
    def _txn(self, txn: Optional[Transaction]) -> Iterator[Transaction]:
        if txn is not None:
            yield txn
        else:
            with self.engine.store.transaction() as own:
                yield own

    # -- settings ------------------------------------------------------------------------
    @property
    def strict(self) -> bool:
        """Only registered buckets and objects exist (lenient mode: everything exists)."""
        with self._txn(None) as txn:
            return self._strict(txn)

    @strict.setter
    def strict(self, value: bool) -> None:
        with self._txn(None) as txn:
            txn.put("oss_setting", _SETTINGS, {"strict": bool(value)})

    @staticmethod
    def _strict(txn: Transaction) -> bool:
        settings = txn.get("oss_setting", _SETTINGS)
        return bool(settings and settings.get("strict"))

    # -- registry --------------------------------------------------------------------------
    def create_bucket(self, region: str, bucket: str, account: Optional[str] = None,
                      txn: Optional[Transaction] = None, encryption: str = "", storage_class: str = "Standard") -> dict:
        """``encryption`` (``KMS``, ``AES256``): server-side encrypted, which image import/export refuse."""
        record = {"region": region, "bucket": bucket, "owner": account or self.engine.accounts.default_account_id,
                  "created": self.engine.clock.now(), "ordered": True}
        if encryption:
            record["encryption"] = encryption
        if storage_class != "Standard":
            record["storage_class"] = storage_class
        with self._txn(txn) as t:
            found = t.get("oss_bucket", _bucket_id(region, bucket))
            if found is not None:
                return dict(found)
            _put_bucket(t, record)
        return record

    def update_bucket(self, record: dict, txn: Transaction, **changes: Any) -> dict:
        """A bucket's record with ``changes`` written (its terms as :meth:`create_bucket` gave them); a change to
        None removes that field (a setting deleted: :mod:`mockecs.ops.oss_bucket`)."""
        updated = {**record, **changes}
        for name in [k for k, v in changes.items() if v is None]:
            del updated[name]
        _put_bucket(txn, updated)
        return updated

    def delete_bucket(self, region: str, bucket: str, txn: Optional[Transaction] = None) -> None:
        with self._txn(txn) as t:
            for object_id in t.ids("oss_object", ("bucket", _bucket_id(region, bucket))):
                record = t.get("oss_object", object_id)
                if record is not None:
                    self.delete_object(region, bucket, record["name"], txn=t)
            for upload_id in t.ids("oss_upload", ("bucket", _bucket_id(region, bucket))):
                self.abort_upload(upload_id, txn=t)
            t.delete("oss_bucket", _bucket_id(region, bucket))

    def put_object(self, region: str, bucket: str, name: str, size: int = DEFAULT_SIZE,
                   txn: Optional[Transaction] = None, task_id: Optional[str] = None,
                   account: Optional[str] = None, storage_class: str = "Standard") -> dict:
        """Register an object (its bucket too). ``task_id``: written by that export task, listed once it finished.
        ``storage_class`` ``Archive`` / ``ColdArchive``: ImportImage wants it restored first."""
        record = {"region": region, "bucket": bucket, "name": name, "size": int(size), "task_id": task_id or ""}
        if storage_class != "Standard":
            record["storage_class"] = storage_class
        with self._txn(txn) as t:
            self.create_bucket(region, bucket, account, txn=t)
            self.delete_object(region, bucket, name, txn=t)  # (what it replaces: its kept bytes go)
            t.put("oss_object", _object_id(region, bucket, name), record, [("bucket", _bucket_id(region, bucket))],
                  name)  # (ordered by name in the bucket's term: listings page without reading the bucket)
        return record

    def delete_object(self, region: str, bucket: str, name: str, txn: Optional[Transaction] = None) -> None:
        with self._txn(txn) as t:
            record = t.get("oss_object", _object_id(region, bucket, name))
            if record is not None and record.get("kept"):
                self._release(t, _object_id(region, bucket, name), int(record["size"]))
            t.delete("oss_object", _object_id(region, bucket, name))

    # -- uploaded objects (the OSS API: mockecs.ops.oss) ---------------------------------------------------------
    def find_bucket(self, bucket: str, txn: Optional[Transaction] = None) -> Optional[dict]:
        """The bucket of this name in whichever region it is (names are global): an index lookup."""
        with self._txn(txn) as t:
            for bucket_id in sorted(t.ids("oss_bucket", ("name", bucket))):
                found = t.get("oss_bucket", bucket_id)
                if found is not None:
                    return dict(found)
            return None

    def buckets_of(self, account: str, txn: Optional[Transaction] = None) -> list[dict]:
        """An account's buckets, by name (an index lookup)."""
        with self._txn(txn) as t:
            found = t.get_many("oss_bucket", t.ids("oss_bucket", ("owner", account)))
            return sorted((dict(r) for r in found if r is not None), key=lambda r: r["bucket"])

    def store_object(self, region: str, bucket: str, name: str, size: int, md5: bytes, crc: int,
                     data: Optional[bytes], txn: Transaction, meta: Optional[dict] = None,
                     content_type: str = "application/octet-stream", etag: Optional[str] = None,
                     object_type: str = "Normal", storage_class: str = "Standard", made_up: bool = False,
                     acl: str = "default", tags: Optional[dict] = None) -> dict:
        """An object written through the OSS API: its hashes always, its bytes when they fit the caps
        (options ``oss_keep_bytes`` per object, ``oss_keep_total`` for all). ``made_up``: a copy of an object
        mockecs made up (zeros, hashed as such). ``acl``: its own (``default``: its bucket's); ``tags``: its
        tagging, in the order given."""
        self.delete_object(region, bucket, name, txn=txn)
        object_id = _object_id(region, bucket, name)
        kept = data is not None and self._reserve(txn, len(data))
        record = {"region": region, "bucket": bucket, "name": name, "size": int(size), "task_id": "",
                  "etag": "" if made_up else etag or md5.hex().upper(), "crc64": "" if made_up else str(crc),
                  "content_type": content_type, "modified": self.engine.clock.now(), "meta": dict(meta or {}),
                  "type": object_type, "kept": kept, "uploaded": not made_up}
        if storage_class != "Standard":
            record["storage_class"] = storage_class
        if acl != "default":
            record["acl"] = acl
        if tags:
            record["tags"] = dict(tags)
        if kept:
            txn.put("oss_content", object_id, {"data": base64.b64encode(data or b"").decode()})
        txn.put("oss_object", object_id, record, [("bucket", _bucket_id(region, bucket))], name)
        return record

    def update_object(self, record: dict, txn: Transaction, **changes: Any) -> dict:
        """An object's record with ``changes`` written in place (its ACL, its tags: its bytes, hashes and
        Last-Modified stay); a change to None removes that field."""
        updated = {**record, **changes}
        for name in [k for k, v in changes.items() if v is None]:
            del updated[name]
        txn.put("oss_object", _object_id(record["region"], record["bucket"], record["name"]), updated,
                [("bucket", _bucket_id(record["region"], record["bucket"]))], record["name"])
        return updated

    def content(self, record: dict, txn: Transaction) -> Optional[bytes]:
        """An object's bytes: kept ones, zeros for one the OSS API never wrote (what ExportImage wrote:
        an empty disk), None for an upload whose bytes were not kept."""
        if record.get("kept"):
            found = txn.get("oss_content", _object_id(record["region"], record["bucket"], record["name"]))
            if found is not None:
                return base64.b64decode(found["data"])
        return None

    def _reserve(self, txn: Transaction, size: int) -> bool:
        options = self.engine.config.options
        usage = txn.get("oss_setting", "usage") or {"kept": 0}
        if size > options["oss_keep_bytes"] or usage["kept"] + size > options["oss_keep_total"]:
            return False
        txn.put("oss_setting", "usage", {"kept": usage["kept"] + size})
        return True

    def _release(self, txn: Transaction, content_id: str, size: int) -> None:
        usage = txn.get("oss_setting", "usage") or {"kept": 0}
        txn.put("oss_setting", "usage", {"kept": max(0, usage["kept"] - size)})
        txn.delete("oss_content", content_id)

    # -- multipart uploads ---------------------------------------------------------------------------------------
    def start_upload(self, upload_id: str, region: str, bucket: str, name: str, txn: Transaction,
                     meta: Optional[dict] = None, content_type: str = "application/octet-stream",
                     storage_class: str = "Standard", acl: str = "default", tags: Optional[dict] = None) -> dict:
        record = {"upload_id": upload_id, "region": region, "bucket": bucket, "name": name,
                  "created": self.engine.clock.now(), "meta": dict(meta or {}), "content_type": content_type,
                  "storage_class": storage_class, "acl": acl, "tags": dict(tags or {})}
        txn.put("oss_upload", upload_id, record, [("bucket", _bucket_id(region, bucket))])
        return record

    def upload(self, upload_id: str, txn: Transaction) -> Optional[dict]:
        found = txn.get("oss_upload", upload_id)
        return dict(found) if found is not None else None

    def uploads(self, region: str, bucket: str, txn: Transaction) -> list[dict]:
        found = txn.get_many("oss_upload", txn.ids("oss_upload", ("bucket", _bucket_id(region, bucket))))
        return sorted((dict(r) for r in found if r is not None), key=lambda r: (r["name"], r["created"]))

    def put_part(self, upload_id: str, number: int, size: int, md5: bytes, crc: int, data: Optional[bytes],
                 txn: Transaction) -> dict:
        """A part; its bytes are kept while the upload's parts together could still make an object whose bytes
        are kept (``oss_keep_bytes``): past that, the kept ones go back to the budget and later ones are not."""
        part_id = f"{upload_id}|{number:05d}"
        old = txn.get("oss_part", part_id)
        if old is not None and old.get("kept"):
            self._release(txn, "part|" + part_id, int(old["size"]))
        upload = dict(txn.get("oss_upload", upload_id) or {})
        sent = int(upload.get("sent") or 0) + int(size) - (int(old["size"]) if old is not None else 0)
        too_big = sent > self.engine.config.options["oss_keep_bytes"]
        if too_big and not upload.get("too_big"):  # (once: the parts kept so far are dropped)
            for part in self.parts(upload_id, txn):
                if part.get("kept"):
                    self._release(txn, f"part|{upload_id}|{part['number']:05d}", int(part["size"]))
                    txn.put("oss_part", f"{upload_id}|{part['number']:05d}", {**part, "kept": False},
                            [("upload", upload_id)])
        if upload:
            txn.put("oss_upload", upload_id, {**upload, "sent": sent, "too_big": too_big or upload.get("too_big")},
                    [("bucket", _bucket_id(upload["region"], upload["bucket"]))])
        kept = data is not None and not too_big and not upload.get("too_big") and self._reserve(txn, len(data))
        record = {"upload_id": upload_id, "number": number, "size": int(size), "etag": md5.hex().upper(),
                  "crc64": str(crc), "modified": self.engine.clock.now(), "kept": kept}
        if kept:
            txn.put("oss_content", "part|" + part_id, {"data": base64.b64encode(data or b"").decode()})
        txn.put("oss_part", part_id, record, [("upload", upload_id)])
        return record

    def parts(self, upload_id: str, txn: Transaction) -> list[dict]:
        found = txn.get_many("oss_part", txn.ids("oss_part", ("upload", upload_id)))
        return sorted((dict(r) for r in found if r is not None), key=lambda r: r["number"])

    def part_content(self, part: dict, txn: Transaction) -> Optional[bytes]:
        found = txn.get("oss_content", f"part|{part['upload_id']}|{part['number']:05d}") if part.get("kept") else None
        return base64.b64decode(found["data"]) if found is not None else None

    def abort_upload(self, upload_id: str, txn: Transaction) -> None:
        for part in self.parts(upload_id, txn):
            part_id = f"{upload_id}|{part['number']:05d}"
            if part.get("kept"):
                self._release(txn, "part|" + part_id, int(part["size"]))
            txn.delete("oss_part", part_id)
        txn.delete("oss_upload", upload_id)

    def bucket_regions(self, bucket: str, txn: Optional[Transaction] = None) -> list[str]:
        """The regions where a bucket of this name is registered (one lookup per region, no scan)."""
        with self._txn(txn) as t:
            return [r for r in regions.regions() if t.get("oss_bucket", _bucket_id(r, bucket)) is not None]

    def bucket_exists(self, region: str, bucket: str, txn: Optional[Transaction] = None) -> bool:
        with self._txn(txn) as t:
            return not self._strict(t) or t.get("oss_bucket", _bucket_id(region, bucket)) is not None

    def get_object(self, region: str, bucket: str, name: str, txn: Optional[Transaction] = None) -> Optional[dict]:
        """A registered object (None if absent, or written by an export that has not finished)."""
        with self._txn(txn) as t:
            record = t.get("oss_object", _object_id(region, bucket, name))
            if record is None or not self._written(t, record):
                return None
            return dict(record)

    def objects(self, region: str, bucket: str, txn: Optional[Transaction] = None) -> list[dict]:
        """Every listed object of a bucket, by name (for tests and helpers: it reads them all)."""
        return [record for _, record in self.listing(region, bucket, limit=1 << 62, txn=txn)[0] if record]

    def listing(self, region: str, bucket: str, prefix: str = "", delimiter: str = "", after: str = "",
                limit: int = 1000, txn: Optional[Transaction] = None,
                bucket_record: Optional[dict] = None) -> tuple[list[tuple[str, Optional[dict]]], bool]:
        """The bucket's objects named after ``after`` under ``prefix``, rolled up by ``delimiter``: (name or common
        prefix, record or None) up to ``limit``, and whether more follow. From the bucket's index ordered by name
        (a binary search for the start, then pages; a common prefix's names are skipped by another search, not
        read): a page costs the same in any bucket, and only listed objects are read. ``bucket_record``: the
        bucket's, when the caller has read it (else it is read here)."""
        with self._txn(txn) as t:
            if bucket_record is None:
                bucket_record = t.get("oss_bucket", _bucket_id(region, bucket))
            if bucket_record is not None and not bucket_record.get("ordered"):
                self.order_bucket(dict(bucket_record), t)
            term = ("bucket", _bucket_id(region, bucket))
            out: list[tuple[str, Optional[dict]]] = []
            start = _position(t, term, after, True) if after >= prefix else _position(t, term, prefix, False)
            while True:
                entries = t.page("oss_object", term, start, _BATCH)
                if not entries:
                    return out, False
                for name, object_id in entries:
                    if not name.startswith(prefix):
                        return out, False  # (sorted: the names under a prefix are one run from the prefix on)
                    cut = name.find(delimiter, len(prefix)) if delimiter else -1
                    if cut >= 0:
                        common = name[:cut + 1]
                        if common > after:  # (else listed on an earlier page: its NextMarker)
                            if len(out) == limit:
                                return out, True
                            out.append((common, None))
                        start = _position(t, term, common + _HIGHEST, True)
                        break
                    record = t.get("oss_object", object_id)
                    if record is None or not self._written(t, record):
                        continue
                    if len(out) == limit:
                        return out, True
                    out.append((name, dict(record)))
                else:
                    start += len(entries)

    def order_bucket(self, record: dict, txn: Transaction) -> int:
        """Index a bucket made before listings paged from its index ordered by name (mockecs before stop 21: its
        objects were written without their name as sort key, so the ordered index lists none of them): each of its
        objects is written again with it, once, on the bucket's first listing; the bucket is then marked
        ``ordered``. An index lookup of the bucket's objects, not a scan of the store. The number re-written."""
        term = ("bucket", _bucket_id(record["region"], record["bucket"]))
        object_ids = sorted(txn.ids("oss_object", term))
        for object_id, found in zip(object_ids, txn.get_many("oss_object", object_ids)):
            if found is not None:
                txn.put("oss_object", object_id, dict(found), [term], found["name"])
        self.update_bucket(record, txn, ordered=True)
        return len(object_ids)

    def lookup(self, region: str, bucket: str, name: str, txn: Optional[Transaction] = None) -> dict:
        """The built-in answer of ``mockecs_oss_object`` (see the hook's documentation); a registered
        bucket's ``owner`` and an object's ``storage_class`` come with it."""
        with self._txn(txn) as t:
            bucket_record = t.get("oss_bucket", _bucket_id(region, bucket))
            owner = {"registered": True, **{k: bucket_record[k] for k in ("owner", "encryption")
                                             if k in bucket_record}} if bucket_record is not None else {}
            record = t.get("oss_object", _object_id(region, bucket, name))
            if record is not None and self._written(t, record):
                return {"size": record["size"], **owner,
                        **({"storage_class": record["storage_class"]} if "storage_class" in record else {})}
            if not self._strict(t):
                return {"size": DEFAULT_SIZE, **owner}
            if bucket_record is None:
                return {"bucket_missing": True}
            return owner

    def _written(self, txn: Transaction, record: dict) -> bool:
        # An exported object appears when its task has finished (settled on the mock clock).
        task_id = record.get("task_id")
        if not task_id:
            return True
        task = txn.get("task", task_id)
        if task is None:
            return False
        ctx = Context(self.engine, txn, "OSS", task["_owner"], task["_region"], "", "", self.engine.clock.now(), {})
        settled = resources.get(ctx, "task", task_id)
        return bool(settled and settled.get("TaskStatus") == "Finished")


def _put_bucket(txn: Transaction, record: dict) -> None:
    txn.put("oss_bucket", _bucket_id(record["region"], record["bucket"]), record,
            [("region", record["region"]), ("name", record["bucket"]), ("owner", record["owner"])])


FILLER_PART = 8 * 1024 ** 2  # the part size of the multipart-style ETag of an object mockecs made up


@lru_cache(maxsize=16)
def _zeros_md5(length: int) -> bytes:
    return hashlib.md5(bytes(length)).digest()


def etag_of(record: dict) -> str:
    """An object's ETag (upper-case hex, unquoted): as uploaded, or for the zeros an object made up reads as (one
    ExportImage wrote, or registered with ``put_object``): multipart-style over 8 MiB parts when larger, as OSS
    gives objects written in parts, so no GiB is hashed."""
    if record.get("etag"):
        return record["etag"]
    size = int(record.get("size") or 0)
    if size <= FILLER_PART:
        return _zeros_md5(size).hex().upper()
    whole, rest = divmod(size, FILLER_PART)
    digests = _zeros_md5(FILLER_PART) * whole + (_zeros_md5(rest) if rest else b"")
    return f"{hashlib.md5(digests).hexdigest().upper()}-{whole + (1 if rest else 0)}"


def crc_of(record: dict) -> int:
    return int(record["crc64"]) if record.get("crc64") else crc64.zeros(int(record.get("size") or 0))


def oss_object(ctx: Context, region: str, bucket: str, name: str) -> dict:
    """Ask the plugins (a user's first, the built-in registry last) about an OSS object."""
    answer = ctx.hook().mockecs_oss_object(region=region, bucket=bucket, object_name=name,
                                           account=ctx.account, engine=ctx.engine)
    if answer is None:  # no plugin has an opinion (the built-in one was unregistered)
        return Oss(ctx.engine).lookup(region, bucket, name, txn=ctx.txn)
    return dict(answer)


def registry(engine: Any) -> Oss:
    """``engine.oss``, created on first use for engines built without the built-in plugin."""
    oss = getattr(engine, "oss", None)
    if oss is None:
        oss = Oss(engine)
        engine.oss = oss
    return oss


class BuiltinOssPlugin:
    """The default OSS stand-in: ``engine.oss`` answers ``mockecs_oss_object``."""

    @hookimpl
    def mockecs_configure_engine(self, engine: Any) -> None:
        engine.oss = Oss(engine)

    @hookimpl(trylast=True)
    def mockecs_oss_object(self, region: str, bucket: str, object_name: str, account: str,
                           engine: Any) -> Optional[dict]:
        if engine is None:
            return None
        return registry(engine).lookup(region, bucket, object_name)


_BATCH = 128  # index entries read at a time while listing
_HIGHEST = "\U0010ffff"  # after every name that starts with what it is appended to


def _position(txn: Transaction, term: tuple[str, str], value: str, past: bool) -> int:
    """How many of the term's names sort before ``value`` (``past``: up to and with it): a binary search over
    one-entry pages of the ordered index, no record read."""
    low, high = 0, txn.count("oss_object", term)
    while low < high:
        middle = (low + high) // 2
        found = txn.page("oss_object", term, middle, 1)
        if not found:
            high = middle
        elif found[0][0] < value or past and found[0][0] == value:
            low = middle + 1
        else:
            high = middle
    return low
