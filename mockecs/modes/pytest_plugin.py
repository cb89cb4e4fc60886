"""pytest plugin (registered through the ``pytest11`` entry point ``mockecs``).

Options (command line flag / ini key, see ``docs/pytest.md``)::

    --mockecs-store / mockecs_store                 memory:// (``{worker}`` expands to the xdist worker id)
    --mockecs-shared / mockecs_shared               xdist workers share one fake through that store
    --mockecs-region / mockecs_region               cn-hangzhou
    --mockecs-transitions / mockecs_transitions     instant | realistic
    --mockecs-strict-signatures / mockecs_strict_signatures
    --mockecs-catalog / mockecs_catalog             on | off
    ... one flag and ini key per setting of docs/settings.md; --mockecs-option NAME=VALUE / mockecs_options

Marker: ``@pytest.mark.mockecs(region=..., strict_signatures=..., transitions=..., store=...,
catalog=..., options={...}, hosts=[...], passthrough=...)`` on a test, class or module.

Fixtures: ``ecs_mock``, ``ecs_client``, ``ecs_legacy_client``, ``ecs_account_factory``,
``public_images``, ``shared_images``, ``marketplace_images``, ``subscribed_marketplace_images``,
``community_images``,
``custom_image_factory``, ``ecs_spot_interrupt``, ``ecs_stock``, ``ecs_server`` (and ``ecs_server_client``).

One engine is built per session (per xdist worker) and reset before every test that uses
``ecs_mock``; a test whose marker asks for a different engine configuration gets a
dedicated engine of its own.
"""
from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional

import pytest

from mockecs.state.accounts import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET
from mockecs.world import settings as declared
from mockecs.world.settings import SettingError

_MOCK_SETTINGS = ("hosts", "passthrough")  # MockECS arguments; everything else is engine Config


# -- options ------------------------------------------------------------------------------
def _flag(name: str) -> str:
    return "--mockecs-" + name.replace("_", "-")


def pytest_addoption(parser: pytest.Parser) -> None:
    # One flag and one ini key per declared setting (mockecs/world/settings.py), plus NAME=VALUE options.
    group = parser.getgroup("mockecs", "mockecs: fake Alibaba Cloud ECS (see docs/settings.md)")
    for setting in declared.SETTINGS:
        help_ = f"{setting.help} Accepts {setting.allowed()}; default {declared._shown(setting.default)}."
        if setting.type == "bool":  # --mockecs-catalog alone means true; --mockecs-catalog off; --mockecs-no-catalog
            group.addoption(_flag(setting.name), dest=f"mockecs_{setting.name}", nargs="?", const="true",
                            default=None, metavar="on|off", help=help_)
            group.addoption("--mockecs-no-" + setting.name.replace("_", "-"), dest=f"mockecs_{setting.name}",
                            action="store_const", const="false", help=f"same as {_flag(setting.name)} off")
        else:
            group.addoption(_flag(setting.name), dest=f"mockecs_{setting.name}", default=None, metavar="VALUE",
                            help=help_)
        parser.addini(f"mockecs_{setting.name}", help=help_, default=None)
    group.addoption("--mockecs-option", dest="mockecs_options", action="append", default=[], metavar="NAME=VALUE",
                    help="a behaviour option (repeatable): " + ", ".join(declared.OPTION_BY_NAME))
    parser.addini("mockecs_options", type="linelist", default=[], help="behaviour options, one NAME=VALUE a line")
    shared_help = ("every xdist worker answers from one fake: the store (redis://... or sqlite:///file, no {worker}) "
                   "is reset once when the run starts, not before each test; tests keep apart by account")
    group.addoption("--mockecs-shared", dest="mockecs_shared", action="store_true", default=None, help=shared_help)
    parser.addini("mockecs_shared", type="bool", default=False, help=shared_help)


def worker_id(config: pytest.Config) -> str:
    """The xdist worker id (``gw0`` ...), or ``master`` without xdist."""
    workerinput = getattr(config, "workerinput", None)
    return workerinput["workerid"] if workerinput else "master"


def base_config(config: pytest.Config) -> Any:
    """The engine :class:`~mockecs.engine.config.Config` the options, ini keys and environment describe.

    A bad value is one ``UsageError`` naming the flag, ini key or variable, before any test runs.
    """
    from mockecs.engine.config import Config

    given: dict[str, Any] = {}
    try:
        for setting in declared.SETTINGS:
            flag, ini = config.getoption(f"mockecs_{setting.name}"), config.getini(f"mockecs_{setting.name}")
            if flag is not None:
                given[setting.name] = declared.parse(setting, flag, f"{_flag(setting.name)}: ")
            elif ini:
                given[setting.name] = declared.parse(setting, ini, f"mockecs_{setting.name} (ini): ")
        options = dict(declared.split_assignment(line, "mockecs_options (ini): ")
                       for line in config.getini("mockecs_options"))
        options.update(declared.split_assignment(text, "--mockecs-option: ")
                       for text in config.getoption("mockecs_options"))
        if "store" in given:
            given["store"] = given["store"].replace("{worker}", worker_id(config))
        return Config(**given, options=options)
    except SettingError as err:
        raise pytest.UsageError(f"mockecs: {err}") from None


# -- the session engine ---------------------------------------------------------------------
class _Session:
    """Per-session (so per-xdist-worker) state: the base config and the lazily built engine."""

    def __init__(self, config: pytest.Config) -> None:
        self.pytest_config = config
        self._config: Optional[Any] = None
        self._engine: Optional[Any] = None
        self.shared = bool(config.getoption("mockecs_shared") or config.getini("mockecs_shared"))

    @property
    def config(self) -> Any:
        if self._config is None:
            self._config = base_config(self.pytest_config)
        return self._config

    def engine(self) -> Any:
        if self._engine is None:
            from mockecs.engine.core import Engine

            self._engine = Engine(copy.deepcopy(self.config))
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.store.close()
            self._engine = None


_SESSION = pytest.StashKey[_Session]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "mockecs(region=None, strict_signatures=None, transitions=None, store=None, catalog=None, options=None, "
        "hosts=(), passthrough=True): configure the mockecs fixtures for this test, class or module")
    session = config.stash[_SESSION] = _Session(config)
    session.config  # noqa: B018  (checked now: a bad setting is one usage error, not one error per test)
    if session.shared:
        _start_shared(session, config)


def _start_shared(session: _Session, config: pytest.Config) -> None:
    """``--mockecs-shared``: the store must outlive a process; the run (not each test) starts it empty."""
    from mockecs.engine.core import Engine

    store = session.config.store
    if "{worker}" in (config.getoption("mockecs_store") or config.getini("mockecs_store") or ""):
        raise pytest.UsageError("mockecs: --mockecs-shared: the store URL names {worker}, so the workers "
                                "would not share it")
    engine = Engine(copy.deepcopy(session.config))
    try:
        if not getattr(engine.store, "shared", False):
            raise pytest.UsageError(f"mockecs: --mockecs-shared needs a store the workers share "
                                    f"(redis://host:port/db or sqlite:///file), not {store}")
        if not hasattr(config, "workerinput"):  # the controller (or a run without xdist): once, before any test
            engine.reset()
    finally:
        engine.store.close()


def pytest_unconfigure(config: pytest.Config) -> None:
    session = config.stash.get(_SESSION, None)
    if session is not None:
        session.close()


def marker_settings(node: pytest.Item) -> dict[str, Any]:
    """The merged keyword arguments of the ``mockecs`` markers on ``node`` (closest wins)."""
    settings: dict[str, Any] = {}
    for mark in reversed(list(node.iter_markers("mockecs"))):
        if mark.args:
            raise pytest.UsageError("mockecs marker: use keyword arguments only")
        for key, value in mark.kwargs.items():
            if key == "options" and isinstance(value, Mapping):
                value = {**settings.get("options", {}), **value}
            settings[key] = value
    return settings


def _engine_config(base: Any, settings: dict[str, Any]) -> Any:
    changes = {k: v for k, v in settings.items() if k not in _MOCK_SETTINGS}
    if not changes:
        return base
    cfg = copy.deepcopy(base)
    try:
        return cfg.apply(changes, "mockecs marker: ")
    except SettingError as err:
        problem = str(err)
    pytest.fail(problem, pytrace=False)  # one line for this test, not a traceback through the fixtures


# -- fixtures ------------------------------------------------------------------------------
@pytest.fixture
def ecs_mock(request: pytest.FixtureRequest) -> Iterator[Any]:
    """The active :class:`mockecs.modes.mock.MockECS` of this test, with fresh (empty) state."""
    from mockecs.modes.mock import MockECS

    session: _Session = request.config.stash[_SESSION]
    settings = marker_settings(request.node)
    cfg = _engine_config(session.config, settings)
    dedicated = cfg is not session.config and cfg != session.config
    if dedicated:
        from mockecs.engine.core import Engine

        engine = Engine(cfg)
    else:
        engine = session.engine()
        if session.shared:
            engine.calls.clear()  # this process' record of this test's calls; the world goes on
        else:
            engine.reset()
    mock = MockECS(engine, **{k: settings[k] for k in _MOCK_SETTINGS if k in settings})
    try:
        with mock:
            yield mock
    finally:
        if dedicated:
            engine.store.close()
        else:
            _restore(engine, session.config)


def _restore(engine: Any, base: Any) -> None:
    """Undo setting changes a test made on a shared engine (cheap when there are none)."""
    if engine.config != base:
        engine.config = copy.deepcopy(base)


@pytest.fixture
def ecs_region(ecs_mock: Any) -> str:
    """The region the client fixtures use (``--mockecs-region`` or the marker's ``region``)."""
    return ecs_mock.engine.config.region


@pytest.fixture
def ecs_client(ecs_mock: Any, ecs_region: str) -> Any:
    """A current-SDK ``alibabacloud_ecs20140526.client.Client`` for the default account."""
    from mockecs.modes.clients import client

    return client(DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, ecs_region)


@pytest.fixture
def ecs_legacy_client(ecs_mock: Any, ecs_region: str) -> Any:
    """An old-SDK ``aliyunsdkcore.client.AcsClient`` for the default account."""
    from mockecs.modes.clients import legacy_client

    return legacy_client(DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, ecs_region)


@pytest.fixture
def ecs_vpc_client(ecs_mock: Any, ecs_region: str) -> Any:
    """A current-SDK ``alibabacloud_vpc20160428.client.Client`` (the VPC product's API: VPCs, vSwitches, EIPs as
    Terraform and Ansible make them) for the default account; it sees the world ``ecs_client`` sees."""
    from mockecs.modes.clients import vpc_client

    return vpc_client(DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, ecs_region)


@dataclass
class EcsAccount:
    """An account made by ``ecs_account_factory``, with its keys and SDK clients."""

    account_id: str
    access_key_id: str
    access_key_secret: str
    region_id: str
    _clients: dict = field(default_factory=dict, repr=False)

    @property
    def client(self) -> Any:
        """A current-SDK client speaking for this account."""
        if "client" not in self._clients:
            from mockecs.modes.clients import client

            self._clients["client"] = client(self.access_key_id, self.access_key_secret, self.region_id)
        return self._clients["client"]

    @property
    def legacy_client(self) -> Any:
        """An old-SDK client speaking for this account."""
        if "legacy" not in self._clients:
            from mockecs.modes.clients import legacy_client

            self._clients["legacy"] = legacy_client(self.access_key_id, self.access_key_secret, self.region_id)
        return self._clients["legacy"]


_account_numbers = itertools.count(1)


@pytest.fixture
def ecs_account_factory(ecs_mock: Any, ecs_region: str) -> Callable[..., EcsAccount]:
    """``make(account_id=None, *, region_id=None) -> EcsAccount``: register another account.

    Accounts last for the test (the next reset drops them).
    """
    accounts = ecs_mock.engine.accounts

    def make(account_id: Optional[str] = None, *, region_id: Optional[str] = None) -> EcsAccount:
        if account_id is None:
            account_id = f"{2 * 10**15 + next(_account_numbers):016d}"
            while accounts.exists(account_id):
                account_id = f"{2 * 10**15 + next(_account_numbers):016d}"
        key_id = f"mockecs-key-{account_id}"
        cred = accounts.add_key(account_id, key_id, f"mockecs-secret-{account_id}")
        return EcsAccount(cred.account_id, cred.access_key_id, cred.access_key_secret, region_id or ecs_region)

    return make


# -- catalog images ---------------------------------------------------------------------------
class ImageList(list):
    """ImageId strings of one kind of catalog image; ``.records`` holds the read-only catalog records."""

    records: list

    def __init__(self, records: Iterable[Mapping[str, Any]]) -> None:
        self.records = list(records)
        super().__init__(r["ImageId"] for r in self.records)


_CATALOG_KINDS = {"public": "system", "system": "system", "shared": "shared", "marketplace": "marketplace",
                  "community": "community"}


def catalog_images(engine: Any, kind: str) -> ImageList:
    """The catalog's images of ``kind`` (public, shared, marketplace, community); empty if the catalog is off."""
    catalog = engine.catalog
    return ImageList(catalog.get(image_id) for image_id in catalog.ids(_CATALOG_KINDS[kind]))


@pytest.fixture
def public_images(ecs_mock: Any) -> ImageList:
    """ImageIds of the catalog's public (system) images."""
    return catalog_images(ecs_mock.engine, "public")


@pytest.fixture
def shared_images(ecs_mock: Any) -> ImageList:
    """ImageIds of catalog images other accounts share with the default account."""
    return catalog_images(ecs_mock.engine, "shared")


@pytest.fixture
def marketplace_images(ecs_mock: Any) -> ImageList:
    """ImageIds of the catalog's Alibaba Cloud Marketplace images."""
    return catalog_images(ecs_mock.engine, "marketplace")


@pytest.fixture
def subscribed_marketplace_images(ecs_mock: Any) -> ImageList:
    """The Marketplace images still on sale, with the default account subscribed to their products
    (so it can launch them); ``marketplace_images`` stay unsubscribed unless a test subscribes."""
    from mockecs.state.accounts import DEFAULT_ACCOUNT_ID
    from mockecs.world import marketplace

    images = ImageList(r for r in catalog_images(ecs_mock.engine, "marketplace").records if not r.get("_delisted"))
    for record in images.records:
        marketplace.subscribe(ecs_mock.engine, DEFAULT_ACCOUNT_ID, record["ProductCode"])
    return images


@pytest.fixture
def community_images(ecs_mock: Any) -> ImageList:
    """ImageIds of the catalog's community images."""
    return catalog_images(ecs_mock.engine, "community")


@pytest.fixture
def custom_image_factory(ecs_mock: Any, ecs_client: Any, ecs_region: str,
                         public_images: ImageList) -> Callable[..., str]:
    """``make(image_name=None, *, client=None, base_image_id=None, snapshot=False, **create_image) -> ImageId``.

    Builds a custom image through the current SDK (RunInstances, then CreateImage from the
    instance, or from a CreateSnapshot of its system disk with ``snapshot=True``) and waits
    until it is ``Available``, moving the mock clock on (30 s a poll) under realistic transitions.
    """
    from mockecs.modes.clients import create_custom_image

    def default_base() -> str:
        for record in public_images.records:
            if record.get("Architecture") == "x86_64" and record.get("OSType") == "linux":
                return record["ImageId"]
        raise LookupError("no x86_64 Linux public image in the catalog (is mockecs_catalog off?)")

    def make(image_name: Optional[str] = None, *, client: Any = None, base_image_id: Optional[str] = None,
             **kwargs: Any) -> str:
        kwargs.setdefault("settle", lambda: ecs_mock.engine.clock.advance(30.0))
        return create_custom_image(client or ecs_client, ecs_region, base_image_id or default_base(),
                                   image_name=image_name, **kwargs)

    return make


@pytest.fixture
def ecs_spot_interrupt(ecs_mock: Any) -> Callable[..., list]:
    """``interrupt(instance_id=None, *, instance_type=None, zone_id=None, account=None, spot_price=None,
    reclaim=False) -> [CloudMonitor event]``: the cloud reclaims spot instances (``ecs_mock.interrupt_spot``): the
    notice now (OperationLocks Recycling, the metadata's termination time), released or stopped 5 minutes later on
    the mock clock (``reclaim=True``: the clock is moved on to it at once)."""
    return ecs_mock.interrupt_spot


@dataclass(frozen=True)
class EcsStock:
    """The stock of the test's fake (``ecs_stock``): ``sell_out``, ``restock``, ``shortages`` are
    ``ecs_mock.sell_out``, ``ecs_mock.restock`` and ``ecs_mock.stock_shortages``."""

    mock: Any

    def sell_out(self, zone_id: str, instance_type: Optional[str] = None, **kwargs: Any) -> dict:
        return self.mock.sell_out(zone_id, instance_type, **kwargs)

    def restock(self, zone_id: Optional[str] = None, instance_type: Optional[str] = None, **kwargs: Any) -> None:
        self.mock.restock(zone_id, instance_type, **kwargs)

    def shortages(self, zone_id: Optional[str] = None) -> list[dict]:
        return self.mock.stock_shortages(zone_id)


@pytest.fixture
def ecs_stock(ecs_mock: Any) -> EcsStock:
    """``ecs_stock.sell_out(zone_id, instance_type=None, *, disk_category=None, closed=False, reclaim_spot=False,
    seconds=None)``,
    ``ecs_stock.restock(zone_id=None, instance_type=None, *, disk_category=None)``, ``ecs_stock.shortages()``: a
    zone runs out of a type, of every type or of a disk category (``OperationDenied.NoStock``, ``SoldOut``) until
    restocked; reset with the fake before each test."""
    return EcsStock(ecs_mock)


# -- standalone server -------------------------------------------------------------------------
@pytest.fixture(scope="session")
def _ecs_server_session(request: pytest.FixtureRequest) -> Iterator[Any]:
    from mockecs.modes.server.thread import ServerThread

    session: _Session = request.config.stash[_SESSION]
    from mockecs.engine.core import Engine

    server = ServerThread(Engine(copy.deepcopy(session.config)))
    server.start()
    try:
        yield server
    finally:
        server.stop()




@pytest.fixture
def ecs_server(request: pytest.FixtureRequest, _ecs_server_session: Any) -> Iterator[Any]:
    """A standalone mockecs server (one per session and xdist worker), reset before this test.

    ``ecs_server.url`` is its base URL, ``.netloc`` its ``host:port``, ``.engine`` its engine.
    The marker's region, strict_signatures, transitions, options and record_calls apply to it.
    """
    session: _Session = request.config.stash[_SESSION]
    engine = _ecs_server_session.engine
    settings = {k: v for k, v in marker_settings(request.node).items() if k not in _MOCK_SETTINGS}
    fixed = sorted(k for k in settings if k in declared.BY_NAME and not declared.BY_NAME[k].runtime)
    if fixed:
        raise pytest.UsageError(f"mockecs marker: ecs_server cannot change {fixed} per test; "
                                "use the command line options / ini keys")
    engine.reset()
    if settings:
        engine.config = _engine_config(session.config, settings)
    try:
        yield _ecs_server_session
    finally:
        _restore(engine, session.config)


@pytest.fixture
def ecs_server_client(ecs_server: Any) -> Any:
    """A current-SDK client pointed at ``ecs_server``."""
    from mockecs.modes.clients import server_client

    return server_client(ecs_server.url, region_id=ecs_server.engine.config.region)
