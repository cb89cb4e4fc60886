"""The ways in: ``mock_ecs`` (decorator and context manager), the aiohttp patch, the pytest plugin, the
server and its CLI, client helpers. May import every other room; nothing imports a mode."""
