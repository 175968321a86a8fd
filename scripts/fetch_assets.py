"""Fetch and verify the assets listed in project.yml (mirror first, then pinned URLs)."""

from pathlib import Path
from typing import Annotated

import srsly
import typer
from wasabi import msg

from clin_distill.assets import AssetError, assets_from_project, fetch_all


def main(
    project_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="project.yml")],
    mirror: Annotated[
        Path | None, typer.Option(help="Folder mirroring assets/ (default: $CLIN_DISTILL_ASSET_MIRROR)")
    ] = None,
) -> None:
    """Fetch and verify the assets listed in project.yml (mirror first, then pinned URLs)."""
    assets = assets_from_project(srsly.read_yaml(project_file))
    try:
        done = fetch_all(
            assets, project_file.parent, mirror, on_done=lambda a, how: msg.good(f"{a.dest} ({how})")
        )
    except AssetError as err:
        msg.fail("Some assets are missing or corrupt:")
        print(err)
        raise typer.Exit(1) from None
    msg.good(f"{len(done)} assets present with verified checksums")


if __name__ == "__main__":
    typer.run(main)
