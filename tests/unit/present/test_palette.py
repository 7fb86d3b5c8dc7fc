"""Platform colours: the ones the book chose beyond Okabe & Ito are visible on white and stay apart
from every other platform colour for readers with colour-vision deficiency."""
from __future__ import annotations

import numpy as np
import pytest

from csam_reporting.present import figures

# Machado, Oliveira & Fernandes (2009), severity 1.0, applied in linear RGB.
SIMULATIONS = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
}
CHOSEN = ["snapchat", "x_twitter", "reddit", "omegle"]


def _linear(colour: str) -> np.ndarray:
    c = np.array([int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear: np.ndarray) -> np.ndarray:
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ np.clip(linear, 0, 1)
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > 0.008856, np.cbrt(t), 7.787 * t + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def contrast_on_white(colour: str) -> float:
    luminance = float(np.dot([0.2126, 0.7152, 0.0722], _linear(colour)))
    return 1.05 / (luminance + 0.05)


def smallest_difference(a: str, b: str) -> float:
    """CIE76 colour difference, the smallest of normal vision and the three simulations."""
    pairs = [(_linear(a), _linear(b))] + [(np.array(m) @ _linear(a), np.array(m) @ _linear(b)) for m in SIMULATIONS.values()]
    return min(float(np.linalg.norm(_lab(x) - _lab(y))) for x, y in pairs)


@pytest.mark.parametrize("platform", CHOSEN)
def test_chosen_platform_colours_reach_3_to_1_on_white(platform):
    assert contrast_on_white(figures.platform_colour(platform)) >= 3.0


@pytest.mark.parametrize("platform", CHOSEN)
def test_chosen_platform_colours_stay_apart_with_colour_vision_deficiency(platform):
    colour = figures.platform_colour(platform)
    others = {figures.OTHER_COLOUR, *(c for p, c in figures.PLATFORM_COLOURS.items() if c != colour)}
    closest = min(others, key=lambda other: smallest_difference(colour, other))
    assert smallest_difference(colour, closest) >= 12, f"{platform} {colour} is close to {closest}"


def test_x_reddit_and_omegle_no_longer_share_the_grey_of_other_platforms():
    colours = [figures.platform_colour(p) for p in ("x_twitter", "reddit", "omegle")]
    assert len(set(colours)) == 3 and figures.OTHER_COLOUR not in colours
