"""``python -m mockecs server ...``: the same as the ``mockecs`` console script."""
from mockecs.modes.cli import main

main(prog_name="mockecs")
