"""Customer delivered value calculator: headless tests set slider values and compare with toolkit.clv."""

import pytest

from toolkit import clv
from toolkit.widgets.delivered_value import COFFEE_CUP, DeliveredValueState, delivered_value_calculator


def test_state_matches_the_public_function():
    state = DeliveredValueState()
    assert state.result == clv.delivered_value(**COFFEE_CUP)
    state.update(money=149, service=90)
    assert state.result == clv.delivered_value(**{**COFFEE_CUP, "money": 149, "service": 90})
    assert "Delivered value" in state.headline() and f"{state.result.delivered:,.1f}" in state.headline()
    before = state.result
    state.update(time=-5)  # refused: costs are amounts >= 0
    assert state.error and state.result is before and state.parts["time"] == COFFEE_CUP["time"]
    with pytest.raises(KeyError):
        state.update(colour=1)


def test_sliders_drive_the_state_and_the_figure():
    w = delivered_value_calculator()
    assert "cvt-dv-calculator" in w._dom_classes and "cvt-dv-money" in w.controls["money"]._dom_classes
    png0, n0 = w.figure.value, w.n_redraws
    w.controls["money"].value = 159.0
    w.controls["psychological"].value = 5.0
    assert w.state.result.delivered == clv.delivered_value(**{**COFFEE_CUP, "money": 159.0,
                                                               "psychological": 5.0}).delivered == 166.0
    assert w.n_redraws == n0 + 2 and w.figure.value != png0
    assert "166.0" in w.headline.value
    w.reset_button.click()
    assert w.state.parts == COFFEE_CUP and w.controls["money"].value == COFFEE_CUP["money"]
    assert w.state.result.delivered == 116.0
