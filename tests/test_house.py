"""Issue #22 (a refactor with no change of output): the generators still write the bundled files byte for byte.

The teaching company's generator runs in named stages (``toolkit.datasets.make_company``), so these tests pin
what it writes: the bundled copies regenerated the way ``datasets/README.md`` says (``python -m
toolkit.datasets``, ``--order-lines``) must equal the committed files, and fixed-seed companies must hash
to the digests recorded before the refactor.
"""

import hashlib
import pathlib

import pytest

from toolkit import datasets as D

ROOT = pathlib.Path(__file__).resolve().parents[1]
DATA = ROOT / "datasets"

#: sha256 over (file name, bytes) of ``write_company(make_company(*args, **kwargs))``, files in name order;
#: recorded with the single-function generator before the #22 refactor.
COMPANY_DIGESTS = [
    ((300,), {"seed": 0}, "f91d7dd4aa1c7865bf8408114a1c1cb32bf7d4adc2342d30181950090048f6b8"),
    ((800,), {"seed": 7, "start": "2021-06-01", "end": "2023-03-31", "seasonality": 0.5, "loyal_duration_days": 400,
              "mean_purchase_rate": 2.0, "mean_item_price": 120.0,
              "channel_mix": {"organic_search": 1, "paid_social": 1, "referral": 1, "one_yuan_promo": 2,
                              "retail_store": 1}},
     "b21ba29da3b158279aa6cdd7b6f631f72651eb323f7c1a5b510c70e3d64e043b"),
]


def _same_bytes(written, folder):
    for path in written:
        assert path.read_bytes() == (folder / path.name).read_bytes(), f"{path.name} differs from datasets/{folder.name}"


def test_regenerated_company_is_byte_identical(tmp_path, capsys):
    assert D._main([str(tmp_path)]) == 0
    capsys.readouterr()
    written = sorted(tmp_path.iterdir())
    assert [p.name for p in written] == sorted(p.name for p in (DATA / "company").iterdir())
    _same_bytes(written, DATA / "company")


def test_regenerated_order_lines_are_byte_identical(tmp_path, capsys):
    assert D._main(["--order-lines", str(tmp_path)]) == 0
    capsys.readouterr()
    written = sorted(tmp_path.iterdir())
    assert [p.name for p in written] == sorted(p.name for p in (DATA / "retail").iterdir())
    _same_bytes(written, DATA / "retail")


@pytest.mark.parametrize("args,kwargs,digest", COMPANY_DIGESTS, ids=["300-seed0", "800-seed7-custom"])
def test_fixed_seed_company_hash(tmp_path, args, kwargs, digest):
    paths = D.write_company(D.make_company(*args, **kwargs), tmp_path)
    m = hashlib.sha256()
    for path in sorted(paths):
        m.update(path.name.encode())
        m.update(path.read_bytes())
    assert m.hexdigest() == digest
