"""Every setting is declared once and checked wherever it is given, with one error text naming the input."""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from mockecs import mock_ecs
from mockecs.engine.config import Config
from mockecs.modes import cli
from mockecs.world import settings as declared
from mockecs.world.settings import SettingError

BAD_TRANSITIONS = "'slow' is not valid; expected one of instant, realistic"
BAD_REGION = "'mars-1' is not valid; expected an ECS region id (see DescribeRegions)"
KNOWN_OPTIONS = ", ".join(declared.OPTION_BY_NAME)


# -- Config(...) and mock_ecs(...) ---------------------------------------------------------------------
def test_config_checks_values_and_names_when_given():
    with pytest.raises(SettingError) as err:
        Config(region="mars-1")
    assert str(err.value) == f"region: {BAD_REGION}"
    with pytest.raises(SettingError) as err:
        Config(transitions="slow")
    assert str(err.value) == f"transitions: {BAD_TRANSITIONS}"
    with pytest.raises(SettingError) as err:
        Config(colour="blue")
    assert str(err.value).startswith("unknown setting 'colour' (known: region, store, transitions,")
    with pytest.raises(SettingError) as err:
        Config(options={"image_qouta": 5})
    assert str(err.value) == f"options: unknown option 'image_qouta' (known: {KNOWN_OPTIONS})"
    with pytest.raises(SettingError) as err:
        Config(options={"image_quota": "10"})
    assert str(err.value) == "options.image_quota: '10' is not valid; expected a whole number >= 0"


def test_later_assignments_are_checked_too():
    config = Config()
    with pytest.raises(SettingError, match=r"^transitions: 'slow' is not valid"):
        config.transitions = "slow"
    with pytest.raises(SettingError, match=r"^options: unknown option 'image_qouta'"):
        config.options["image_qouta"] = 1
    with pytest.raises(SettingError, match=r"^options.share_quota: True is not valid"):
        config.options.update(share_quota=True)
    assert config.transitions == "instant" and config.options["share_quota"] == 50


def test_apply_is_all_or_nothing():
    config = Config()
    with pytest.raises(SettingError):
        config.apply({"transitions": "realistic", "options": {"image_quota": -1}})
    assert config.transitions == "instant" and config.options["image_quota"] == 100


def test_options_have_their_declared_defaults():
    config = Config()
    assert {s.name: config.options[s.name] for s in declared.OPTIONS} == {s.name: s.default for s in declared.OPTIONS}


def test_the_old_spelling_warns_and_works():
    with pytest.warns(DeprecationWarning, match="'default_region' is now called 'region'"):
        config = Config(default_region="cn-beijing")
    assert config.region == "cn-beijing"
    with pytest.warns(DeprecationWarning):
        assert config.default_region == "cn-beijing"


def test_mock_ecs_checks_its_settings_at_once():
    with pytest.raises(SettingError) as err:
        mock_ecs(region="mars-1")
    assert str(err.value) == f"region: {BAD_REGION}"
    with pytest.raises(SettingError) as err:
        mock_ecs(transitions="slow")
    assert str(err.value) == f"transitions: {BAD_TRANSITIONS}"
    with pytest.raises(SettingError, match=r"^options: unknown option 'image_qouta'"):
        mock_ecs(options={"image_qouta": 1})
    with mock_ecs(region="cn-beijing", options={"image_quota": 3}) as m:
        assert m.engine.config.region == "cn-beijing" and m.engine.config.options["image_quota"] == 3


# -- environment ---------------------------------------------------------------------------------------
def test_environment_variables(monkeypatch):
    monkeypatch.setenv("MOCKECS_REGION", "cn-beijing")
    monkeypatch.setenv("MOCKECS_IMAGE_QUOTA", "7")
    monkeypatch.setenv("MOCKECS_STRICT_SIGNATURES", "on")
    config = Config()
    assert (config.region, config.options["image_quota"], config.strict_signatures) == ("cn-beijing", 7, True)
    assert Config(region="cn-shanghai").region == "cn-shanghai"  # arguments win
    monkeypatch.setenv("MOCKECS_IMAGE_QUOTA", "many")
    with pytest.raises(SettingError) as err:
        Config()
    assert str(err.value) == "MOCKECS_IMAGE_QUOTA: 'many' is not valid; expected a whole number >= 0"
    monkeypatch.delenv("MOCKECS_IMAGE_QUOTA")
    monkeypatch.setenv("MOCKECS_IMAGE_QOUTA", "5")
    with pytest.warns(UserWarning, match="MOCKECS_IMAGE_QOUTA names no setting"):
        Config()


# -- pytest options, ini keys, marker (in pytester runs) -----------------------------------------------
PROBE = """
def test_probe(ecs_mock):
    cfg = ecs_mock.engine.config
    print("PROBE", cfg.region, cfg.transitions, cfg.options["image_quota"], cfg.options["share_any_account"])
"""


def test_pytest_options_and_ini(pytester: pytest.Pytester) -> None:
    pytester.makeini("""
        [pytest]
        mockecs_options =
            image_quota = 9
            share_any_account = true
    """)
    pytester.makepyfile(PROBE)
    result = pytester.runpytest("-s", "--mockecs-option", "image_quota=12")
    result.stdout.fnmatch_lines(["*PROBE cn-hangzhou instant 12 True*"])


@pytest.mark.parametrize("args, message", [
    (["--mockecs-transitions", "slow"], f"ERROR: mockecs: --mockecs-transitions: {BAD_TRANSITIONS}"),
    (["--mockecs-region", "mars-1"], f"ERROR: mockecs: --mockecs-region: {BAD_REGION}"),
    (["--mockecs-option", "image_quota=x"],
     "ERROR: mockecs: --mockecs-option: image_quota='x' is not valid; expected a whole number >= 0"),
    (["--mockecs-option", "image_qouta=1"],
     f"ERROR: mockecs: --mockecs-option: unknown option 'image_qouta' (known: {KNOWN_OPTIONS})"),
    (["--mockecs-option", "image_quota"], "ERROR: mockecs: --mockecs-option: 'image_quota' is not valid; "
                                          "expected NAME=VALUE"),
])
def test_bad_pytest_options_are_one_line(pytester: pytest.Pytester, args, message) -> None:
    pytester.makepyfile(PROBE)
    result = pytester.runpytest(*args)
    # One usage error before any test runs, not one error (and a traceback) per test.
    assert result.ret == pytest.ExitCode.USAGE_ERROR and result.stdout.lines == []
    assert result.stderr.lines[0] == message and len(result.stderr.lines) <= 2, result.stderr.lines


def test_bad_ini_values(pytester: pytest.Pytester) -> None:
    pytester.makeini("""
        [pytest]
        mockecs_transitions = slow
    """)
    pytester.makepyfile(PROBE)
    result = pytester.runpytest()
    assert result.stderr.lines[0] == f"ERROR: mockecs: mockecs_transitions (ini): {BAD_TRANSITIONS}"


def test_marker_settings_are_checked(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.mark.mockecs(transitions="slow")
        def test_bad_value(ecs_mock):
            pass

        @pytest.mark.mockecs(options={"image_qouta": 1})
        def test_unknown_option(ecs_mock):
            pass

        @pytest.mark.mockecs(options={"image_quota": 4}, region="cn-beijing")
        def test_good(ecs_mock):
            assert ecs_mock.engine.config.options["image_quota"] == 4
            assert ecs_mock.engine.config.region == "cn-beijing"
    """)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=2)
    result.stdout.fnmatch_lines([f"*mockecs marker: transitions: {BAD_TRANSITIONS}*",
                                 "*mockecs marker: options: unknown option 'image_qouta'*"])


# -- the server's command line -------------------------------------------------------------------------
@pytest.mark.parametrize("args, env, message", [
    (["--transitions", "slow"], {}, f"Error: --transitions: {BAD_TRANSITIONS}"),
    (["--region", "mars-1"], {}, f"Error: --region: {BAD_REGION}"),
    (["--max-calls", "-3"], {}, "Error: --max-calls: -3 is not valid; expected a whole number >= 0"),
    (["--option", "share_quota=lots"], {},
     "Error: --option: share_quota='lots' is not valid; expected a whole number >= 0"),
    (["--option", "image_qouta=1"], {}, f"Error: --option: unknown option 'image_qouta' (known: {KNOWN_OPTIONS})"),
    ([], {"MOCKECS_TRANSITIONS": "slow"}, f"Error: MOCKECS_TRANSITIONS: {BAD_TRANSITIONS}"),
])
def test_bad_server_flags_are_one_line(args, env, message):
    result = CliRunner().invoke(cli.main, ["server", "--port", "0", *args], env=env)
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == message


def test_config_files(tmp_path: Path, monkeypatch):
    toml = tmp_path / "mockecs.toml"
    toml.write_text('region = "cn-beijing"\ntransitions = "realistic"\n[options]\nimage_quota = 5\n')
    config = cli.build_config({}, ("share_quota=3",), str(toml))
    assert (config.region, config.transitions, config.options["image_quota"], config.options["share_quota"]) == (
        "cn-beijing", "realistic", 5, 3)
    monkeypatch.setenv("MOCKECS_REGION", "cn-shanghai")  # the environment wins over the file
    assert cli.build_config({}, (), str(toml)).region == "cn-shanghai"
    assert cli.build_config({"region": "cn-qingdao"}, (), str(toml)).region == "cn-qingdao"  # flags win over both
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"options": {"share_quota": "x"}, "colour": 1}))
    result = CliRunner().invoke(cli.main, ["server", "--config", str(bad)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1].startswith(f"Error: --config {bad}: ")
    broken = tmp_path / "broken.toml"
    broken.write_text("region = \n")
    result = CliRunner().invoke(cli.main, ["server", "--config", str(broken)])
    assert result.exit_code == 2 and f"Error: --config {broken}: " in result.output


def test_help_and_docs_list_every_setting_from_the_declaration():
    result = CliRunner().invoke(cli.main, ["server", "--help"], terminal_width=400)
    for setting in declared.SETTINGS:
        assert "--" + setting.name.replace("_", "-") in result.output or setting.type == "paths"
    for option in declared.OPTIONS:
        assert option.name in result.output
    docs = (Path(__file__).parents[1] / "docs" / "settings.md").read_text("utf-8")
    assert docs == declared.markdown(), "docs/settings.md is stale: run `mockecs settings > docs/settings.md`"


# -- the control API -----------------------------------------------------------------------------------
def test_control_config(ecs_server):
    url = ecs_server.url + "/_mockecs/config"
    got = requests.get(url, timeout=10).json()
    assert got["transitions"] == "instant" and got["options"]["image_quota"] == 100
    patched = requests.patch(url, json={"transitions": "realistic", "options": {"image_quota": 2}}, timeout=10)
    assert patched.status_code == 200 and patched.json()["options"]["image_quota"] == 2
    for body, error in [
        ({"options": {"image_qouta": 1}}, f"options: unknown option 'image_qouta' (known: {KNOWN_OPTIONS})"),
        ({"options": {"image_quota": "10"}}, "options.image_quota: '10' is not valid; expected a whole number >= 0"),
        ({"transitions": "slow", "options": {"image_quota": 5}}, f"transitions: {BAD_TRANSITIONS}"),
        ({"store": "memory://"}, "store: cannot change on a running server (restart it with the flag)"),
    ]:
        answer = requests.patch(url, json=body, timeout=10)
        assert (answer.status_code, answer.json()) == (400, {"error": error})
    assert requests.get(url, timeout=10).json()["options"]["image_quota"] == 2  # nothing half-applied
    refused = requests.post(ecs_server.url + "/_mockecs/transitions", json={"options": {"image_quota": 1}},
                            timeout=10)
    assert refused.status_code == 400 and "PATCH /_mockecs/config" in refused.json()["error"]


def test_no_warning_for_known_variables(monkeypatch):
    monkeypatch.setenv("MOCKECS_SPEC_DIR", "/nowhere")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Config()
