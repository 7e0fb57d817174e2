"""Synthetic dermoscopy-like images, made from a seed: skin-toned background, an irregular pigmented lesion,
hair strokes and the dark ring of a dermoscope's field of view; with the lesion's mask, outline and a heatmap.

The same seed gives the same pixels (numpy's PCG64 and Pillow's deterministic drawing and encoders), so tests
and `make demo` need no download. Not a model of real lesions: shapes and colours only look plausible.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

WIDTH, HEIGHT = 480, 360
#: lesion colours (RGB, centre → rim) by ISIC challenge class
PIGMENTS = {
    "MEL": ((45, 25, 30), (120, 70, 60)),
    "NV": ((110, 65, 40), (160, 110, 80)),
    "BCC": ((170, 110, 120), (210, 160, 160)),
    "BKL": ((120, 95, 60), (170, 140, 100)),
    "AK": ((190, 110, 100), (215, 150, 130)),
}
SKIN = ((236, 196, 170), (224, 172, 140), (198, 140, 108), (170, 112, 80))


@dataclass(frozen=True)
class SyntheticImage:
    """One generated image: JPEG bytes, mask PNG bytes, heatmap PNG bytes and the lesion's geometry (pixels)."""

    jpeg: bytes
    mask_png: bytes
    heatmap_png: bytes
    box: tuple[float, float, float, float]  # x, y, width, height
    outline: list[tuple[float, float]]
    area: int
    width: int = WIDTH
    height: int = HEIGHT


def lesion_radius(rng: np.random.Generator, base: float) -> tuple[np.ndarray, np.ndarray]:
    """Harmonic amplitudes and phases of an irregular closed outline around a mean radius `base`."""
    amplitudes = rng.uniform(0.02, 0.16, 6) / np.arange(1, 7) ** 0.6
    phases = rng.uniform(0, 2 * math.pi, 6)
    return amplitudes * base, phases


def _radius(theta: np.ndarray, base: float, amplitudes: np.ndarray, phases: np.ndarray) -> np.ndarray:
    k = np.arange(2, 8)[:, None]
    return base + (amplitudes[:, None] * np.cos(k * theta[None, :] + phases[:, None])).sum(axis=0)


def generate(seed: int, finding: str = "NV", scale: float = 1.0) -> SyntheticImage:
    """A dermoscopy-like image of a lesion of class `finding`, its size multiplied by `scale` (growth over time)."""
    rng = np.random.default_rng(seed)
    shape_rng = np.random.default_rng(seed // 10)  # a lesion keeps its shape across visits (seed // 10 shared)
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    skin = np.array(SKIN[int(shape_rng.integers(len(SKIN)))], dtype=np.float32)
    noise = _smooth_noise(rng, 24) * 14 + _smooth_noise(rng, 4) * 5
    image = np.clip(skin[None, None, :] + noise[..., None], 0, 255)

    cx = WIDTH / 2 + float(shape_rng.uniform(-40, 40))
    cy = HEIGHT / 2 + float(shape_rng.uniform(-30, 30))
    base = float(shape_rng.uniform(60, 90)) * scale
    amplitudes, phases = lesion_radius(shape_rng, base)
    theta = np.arctan2(yy - cy, xx - cx)
    distance = np.hypot(xx - cx, yy - cy)
    edge = _radius(theta.ravel(), base, amplitudes, phases).reshape(theta.shape)
    inside = distance <= edge
    # soft rim: 0 outside, 1 in the centre
    depth = np.clip((edge - distance) / np.maximum(edge, 1) * 2.2, 0, 1)
    depth = np.asarray(Image.fromarray((depth * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(3)), np.float32)
    depth /= 255
    centre, rim = (np.array(c, dtype=np.float32) for c in PIGMENTS.get(finding, PIGMENTS["NV"]))
    pigment = rim[None, None, :] * (1 - depth[..., None]) + centre[None, None, :] * depth[..., None]
    mottling = _smooth_noise(rng, 6)[..., None] * 18
    alpha = np.clip(depth * 3, 0, 1)[..., None]
    image = image * (1 - alpha) + np.clip(pigment + mottling, 0, 255) * alpha
    # dots and globules
    for _ in range(int(rng.integers(8, 30))):
        angle, radius = rng.uniform(0, 2 * math.pi), rng.uniform(0, 0.8) * base
        gx, gy, size = cx + radius * math.cos(angle), cy + radius * math.sin(angle), rng.uniform(1.5, 4)
        blob = np.exp(-((xx - gx) ** 2 + (yy - gy) ** 2) / (2 * size**2))[..., None]
        image = image * (1 - 0.6 * blob) + centre * 0.6 * 0.6 * blob

    picture = Image.fromarray(np.clip(image, 0, 255).astype(np.uint8), "RGB")
    _hairs(picture, rng)
    picture = picture.filter(ImageFilter.GaussianBlur(0.6))
    # dermoscope vignetting: darker towards a circular field stop
    vignette = np.clip(1.15 - (np.hypot(xx - WIDTH / 2, yy - HEIGHT / 2) / (0.62 * WIDTH)) ** 3, 0.05, 1)
    pixels = np.asarray(picture, np.float32) * vignette[..., None]
    picture = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")

    mask = Image.fromarray((inside * 255).astype(np.uint8), "L")
    ys, xs = np.nonzero(inside)
    box = (float(xs.min()), float(ys.min()), float(xs.max() - xs.min() + 1), float(ys.max() - ys.min() + 1))
    angles = np.linspace(-math.pi, math.pi, 24, endpoint=False)
    radii = _radius(angles, base, amplitudes, phases)
    outline = [
        (
            round(float(np.clip(cx + r * math.cos(a), 0, WIDTH - 1)), 1),
            round(float(np.clip(cy + r * math.sin(a), 0, HEIGHT - 1)), 1),
        )
        for a, r in zip(angles, radii, strict=True)
    ]
    return SyntheticImage(
        jpeg=_encode(picture, "JPEG", quality=88),
        mask_png=_encode(mask.convert("1"), "PNG"),
        heatmap_png=_heatmap(rng, cx, cy, base, xx, yy),
        box=box,
        outline=outline,
        area=int(inside.sum()),
    )


def _smooth_noise(rng: np.random.Generator, cell: int) -> np.ndarray:
    """Noise in -1..1 varying over about `cell` pixels."""
    small = rng.uniform(-1, 1, (HEIGHT // cell + 2, WIDTH // cell + 2)).astype(np.float32)
    grey = Image.fromarray(((small + 1) * 127.5).astype(np.uint8), "L").resize(
        (WIDTH, HEIGHT), Image.Resampling.BICUBIC
    )
    return np.asarray(grey, np.float32) / 127.5 - 1


def _hairs(picture: Image.Image, rng: np.random.Generator) -> None:
    draw = ImageDraw.Draw(picture)
    for _ in range(int(rng.integers(3, 9))):
        x, y = float(rng.uniform(0, WIDTH)), float(rng.uniform(0, HEIGHT))
        angle, bend = float(rng.uniform(0, 2 * math.pi)), float(rng.uniform(-0.02, 0.02))
        points = []
        for _step in range(int(rng.integers(20, 60))):
            points.append((x, y))
            x, y, angle = x + 6 * math.cos(angle), y + 6 * math.sin(angle), angle + bend
        shade = int(rng.integers(20, 60))
        draw.line(points, fill=(shade, shade - 10 if shade > 10 else 0, shade // 2), width=int(rng.integers(1, 3)))


def _heatmap(rng: np.random.Generator, cx: float, cy: float, base: float, xx: np.ndarray, yy: np.ndarray) -> bytes:
    """A class-activation-like map: a warm blob near the lesion, transparent elsewhere (RGBA PNG)."""
    hx, hy = cx + float(rng.uniform(-0.3, 0.3)) * base, cy + float(rng.uniform(-0.3, 0.3)) * base
    heat = np.exp(-((xx - hx) ** 2 + (yy - hy) ** 2) / (2 * (0.6 * base) ** 2))
    rgba = np.zeros((HEIGHT, WIDTH, 4), np.uint8)
    rgba[..., 0] = 255
    rgba[..., 1] = np.clip(255 * (1 - heat) * 1.2, 0, 255).astype(np.uint8)
    rgba[..., 3] = np.clip(heat * 170, 0, 255).astype(np.uint8)
    return _encode(Image.fromarray(rgba, "RGBA"), "PNG")


def _encode(picture: Image.Image, kind: str, **options: object) -> bytes:
    out = io.BytesIO()
    picture.save(out, kind, **options)
    return out.getvalue()
