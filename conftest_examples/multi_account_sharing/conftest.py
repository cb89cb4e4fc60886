"""Two accounts in one fake: ``alice`` (the default account) owns an image and shares it with ``bob``."""
import pytest

from mockecs.state.accounts import DEFAULT_ACCOUNT_ID


@pytest.fixture
def alice(ecs_client):
    return {"account_id": DEFAULT_ACCOUNT_ID, "client": ecs_client}


@pytest.fixture
def bob(ecs_account_factory):
    return ecs_account_factory()  # .account_id, .access_key_id, .client, .legacy_client


@pytest.fixture
def golden_image(custom_image_factory):
    """A custom image of alice's, built with RunInstances + CreateImage through the SDK."""
    return custom_image_factory("golden-image")
