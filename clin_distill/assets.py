"""Fetch project assets from a local mirror or their pinned URLs, and verify md5 checksums.

An asset ``dest`` of ``assets/<rel>`` is looked up as ``$CLIN_DISTILL_ASSET_MIRROR/<rel>``
first (offline / air-gapped machines), then downloaded from its ``url``. A folder asset
lists its files and their md5s in a ``manifest`` (md5sum format); its ``checksum`` is the
folder checksum weasel computes. Whatever the source, the checksum is verified before the
file is moved into place.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from weasel.util import get_checksum

from .docio import atomic_path

MIRROR_ENV = "CLIN_DISTILL_ASSET_MIRROR"
ASSETS_DIR = "assets"


class AssetError(RuntimeError):
    """An asset could not be found, fetched or verified."""


@dataclass
class Asset:
    """One asset of project.yml: where it goes, its pinned URL, its md5 and (for a folder) its manifest."""

    dest: str
    url: str | None
    checksum: str | None
    manifest: str | None = None

    @property
    def rel(self) -> Path:
        """Path of the asset inside the assets folder (and inside a mirror)."""
        parts = Path(self.dest).parts
        return Path(*parts[1:]) if parts and parts[0] == ASSETS_DIR else Path(self.dest)


def md5_file(path: Path) -> str:
    """The md5 hex digest of ``path``, read in 1 MiB blocks."""
    digest = hashlib.md5()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(path: Path) -> dict[str, str]:
    """Read an md5sum-format manifest into ``{relative file name: md5}``."""
    entries = {}
    for line in path.read_text(encoding="utf8").splitlines():
        if line.strip():
            md5, name = line.split(maxsplit=1)
            entries[name.strip()] = md5
    return entries


def _download(url: str, target: Path, timeout: float) -> None:
    with urllib.request.urlopen(url, timeout=timeout) as response, target.open("wb") as out:
        shutil.copyfileobj(response, out)


def _fetch_file(source: Path | None, url: str | None, target: Path, md5: str | None, timeout: float) -> str:
    """Copy ``source`` (or download ``url``) to ``target`` atomically after checking ``md5``."""
    with atomic_path(target) as tmp:
        if source is not None and source.is_file():
            shutil.copyfile(source, tmp)
            origin = "mirror"
        elif url:
            try:
                _download(url, tmp, timeout)
            except (urllib.error.URLError, OSError, TimeoutError) as err:
                raise AssetError(f"could not download {url}: {err}") from None
            origin = "url"
        else:
            raise AssetError(f"{target} is not in the mirror and has no URL")
        got = md5_file(tmp)
        if md5 and got != md5:
            raise AssetError(f"checksum mismatch for {target} from {origin}: expected {md5}, got {got}")
    return origin


def fetch_asset(asset: Asset, root: Path, mirror: Path | None, timeout: float = 60.0) -> str:
    """Make ``asset`` present and verified under ``root``. Returns how: present, mirror or url."""
    dest = root / asset.dest
    if dest.exists() and asset.checksum and get_checksum(dest) == asset.checksum:
        return "present"
    source = mirror / asset.rel if mirror else None
    try:
        if asset.manifest:
            manifest = read_manifest(root / asset.manifest)
            origins = {
                _fetch_file(
                    source / name if source else None,
                    f"{asset.url}/{name}" if asset.url else None,
                    dest / name,
                    md5,
                    timeout,
                )
                for name, md5 in manifest.items()
                if not ((dest / name).is_file() and md5_file(dest / name) == md5)
            }
            extra = sorted(p.name for p in dest.iterdir() if p.is_file() and p.name not in manifest)
            if extra:
                raise AssetError(f"{dest} holds files not in {asset.manifest}: {', '.join(extra[:5])}")
            origin = "+".join(sorted(origins)) or "present"
        else:
            origin = _fetch_file(source, asset.url, dest, asset.checksum, timeout)
    except AssetError as err:
        where = f"{MIRROR_ENV}={mirror}" if mirror else f"no {MIRROR_ENV} set"
        raise AssetError(
            f"asset {asset.dest} unavailable ({err}; {where}). Download {asset.url or 'it'} to "
            f"{asset.dest}, or set {MIRROR_ENV} to a folder holding {asset.rel}"
        ) from None
    if asset.checksum and get_checksum(dest) != asset.checksum:
        raise AssetError(f"checksum mismatch for {asset.dest}: expected {asset.checksum}")
    return origin


def assets_from_project(project: dict) -> list[Asset]:
    """The ``assets`` of a parsed project.yml."""
    return [
        Asset(a["dest"], a.get("url"), a.get("checksum"), a.get("manifest"))
        for a in project.get("assets", [])
    ]


def fetch_all(
    assets: list[Asset],
    root: Path,
    mirror: Path | None = None,
    on_done: Callable[[Asset, str], None] | None = None,
) -> dict[str, str]:
    """Fetch every asset; collect all failures into one error so the user sees every missing file."""
    if mirror is None and os.environ.get(MIRROR_ENV):
        mirror = Path(os.environ[MIRROR_ENV]).expanduser().resolve()
    done, errors = {}, []
    for asset in assets:
        try:
            done[asset.dest] = fetch_asset(asset, root, mirror)
            if on_done:
                on_done(asset, done[asset.dest])
        except AssetError as err:
            errors.append(str(err))
    if errors:
        raise AssetError("\n".join(errors))
    return done
