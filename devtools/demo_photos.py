"""Pictures for the demo newsroom, drawn with Pillow: plausible news-photo placeholders, not photographs.

Each scene is a different composition (a council chamber, a convoy on a road, a
harbour, a warehouse, a desk seen from above...) drawn as layers: a background
that is blurred as a long lens would, a sharp foreground, then film grain and
a vignette so that the result reads as a photograph at thumbnail size. Every
picture is deterministic for its seed.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable

from PIL import Image, ImageChops, ImageDraw, ImageFilter

Size = tuple[int, int]
Colour = tuple[int, int, int]


def gradient(size: Size, top: Colour, bottom: Colour) -> Image.Image:
    """A vertical gradient from `top` to `bottom`."""
    mask = Image.linear_gradient("L").resize(size)
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)


def shade(colour: Colour, amount: int) -> Colour:
    return tuple(max(0, min(255, c + amount)) for c in colour)


def bokeh(image: Image.Image, rng: random.Random, colour: Colour, count: int, band: tuple[float, float]) -> None:
    """Soft out-of-focus lights in a horizontal band of the picture."""
    width, height = image.size
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for _ in range(count):
        radius = rng.randint(height // 40, height // 12)
        x, y = rng.randint(0, width), rng.randint(int(height * band[0]), int(height * band[1]))
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=(*shade(colour, rng.randint(-30, 30)), 90))
    image.alpha_composite(layer.filter(ImageFilter.GaussianBlur(height // 120)))


def person(draw: ImageDraw.ImageDraw, x: float, base: float, height: float, colour: Colour) -> None:
    """A standing or seated figure: a head over rounded shoulders, `height` tall from `base` up."""
    head = height * 0.16
    draw.ellipse((x - head, base - height, x + head, base - height + head * 2), fill=colour)
    draw.rounded_rectangle(
        (x - head * 2.1, base - height + head * 2.2, x + head * 2.1, base), radius=int(head * 1.2), fill=colour
    )


def chamber(image: Image.Image, rng: random.Random) -> None:
    width, height = image.size
    draw = ImageDraw.Draw(image)
    draw.rectangle((width * 0.2, height * 0.05, width * 0.8, height * 0.45), fill=(150, 95, 60))  # the mural
    for _ in range(40):
        x, y = rng.uniform(0.2, 0.8) * width, rng.uniform(0.05, 0.45) * height
        draw.ellipse((x - 30, y - 30, x + 30, y + 30), fill=shade((150, 95, 60), rng.randint(-40, 50)))
    image.paste(image.filter(ImageFilter.GaussianBlur(10)))
    draw.ellipse((width * 0.1, height * 0.5, width * 0.9, height * 1.25), outline=(205, 190, 160), width=60)
    for angle in range(200, 341, 10):
        x = width / 2 + math.cos(math.radians(angle)) * width * 0.4
        y = height * 0.875 + math.sin(math.radians(angle)) * height * 0.375
        person(draw, x, y + 10, height * 0.13, (30, 30, 40))


def hall(image: Image.Image, rng: random.Random) -> None:
    width, height = image.size
    draw = ImageDraw.Draw(image)
    draw.ellipse((-width * 0.2, -height * 0.9, width * 1.2, height * 0.5), fill=(170, 195, 215))
    image.paste(image.filter(ImageFilter.GaussianBlur(20)))
    for row in range(6):
        y = height * (0.45 + row * 0.1)
        draw.rectangle((0, y, width, y + height * 0.03), fill=(110, 70, 45))
        for seat in range(4 + row * 2):
            x = (seat + rng.random() * 0.5) * width / (4 + row * 2)
            person(draw, x, y, height * (0.06 + row * 0.015), (35, 35, 45))


def podium(image: Image.Image, rng: random.Random) -> None:
    width, height = image.size
    draw = ImageDraw.Draw(image)
    draw.rectangle((width * 0.25, 0, width * 0.75, height * 0.7), fill=(190, 150, 70))
    draw.ellipse((width * 0.44, height * 0.1, width * 0.56, height * 0.28), outline=(235, 210, 140), width=8)
    image.paste(image.filter(ImageFilter.GaussianBlur(6)))
    draw.polygon(
        [(width * 0.4, height * 0.58), (width * 0.6, height * 0.58), (width * 0.57, height), (width * 0.43, height)],
        fill=(90, 60, 40),
    )
    person(draw, width * 0.5, height * 0.62, height * 0.28, (25, 25, 30))
    for row in range(3):
        y = height * (0.82 + row * 0.07)
        draw.rectangle((0, y, width * 0.35, y + 20), fill=(60, 40, 30))
        draw.rectangle((width * 0.65, y, width, y + 20), fill=(60, 40, 30))


def convoy(image: Image.Image, rng: random.Random) -> None:
    width, height = image.size
    draw = ImageDraw.Draw(image)
    horizon = height * 0.5
    draw.rectangle((0, horizon, width, height), fill=(120, 70, 40))
    vanish = width * rng.uniform(0.55, 0.7)
    draw.polygon(
        [(vanish - 10, horizon), (vanish + 10, horizon), (width * 1.1, height), (-width * 0.1, height)],
        fill=(170, 95, 55),
    )
    for step in range(5, 0, -1):
        scale = step / 5
        x = vanish + (width * 0.25 - vanish) * scale * 0.9
        y = horizon + (height - horizon) * scale * 0.8
        w, h = width * 0.14 * scale, height * 0.16 * scale
        draw.rectangle((x - w / 2, y - h, x + w / 2, y), fill=(235, 232, 225))
        draw.rectangle((x - w / 2, y - h * 1.3, x - w / 6, y - h * 0.5), fill=(210, 205, 195))
        draw.rectangle((x - w / 2, y - h * 0.1, x + w / 2, y), fill=(40, 35, 30))
    image.paste(image.filter(ImageFilter.GaussianBlur(1)))


def hills(image: Image.Image, rng: random.Random) -> None:
    width, height = image.size
    draw = ImageDraw.Draw(image)
    for layer, colour in enumerate([(110, 140, 110), (80, 115, 70), (55, 90, 50)]):
        base = height * (0.45 + layer * 0.12)
        points = (
            [(0, height)]
            + [
                (x, base + math.sin(x / (180 + layer * 60) + rng.random()) * height * 0.05)
                for x in range(0, width + 40, 40)
            ]
            + [(width, height)]
        )
        draw.polygon(points, fill=colour)
    draw.line(
        [(width * 0.1, height), (width * 0.45, height * 0.75), (width * 0.7, height * 0.62)],
        fill=(190, 175, 150),
        width=40,
    )
    x, y = width * 0.44, height * 0.76
    draw.rounded_rectangle((x - 70, y - 55, x + 70, y), radius=12, fill=(240, 240, 240))
    draw.rectangle((x - 40, y - 50, x + 30, y - 30), fill=(60, 80, 100))
    draw.text((x - 20, y - 26), "UN", fill=(20, 20, 20))


def warehouse(image: Image.Image, rng: random.Random) -> None:
    width, height = image.size
    draw = ImageDraw.Draw(image)
    draw.polygon(
        [(width * 0.4, 0), (width * 0.6, 0), (width * 0.8, height), (width * 0.2, height)], fill=(200, 180, 140)
    )
    image.paste(image.filter(ImageFilter.GaussianBlur(30)))
    for column in range(9):
        for row in range(7):
            x, y = column * width / 8 - 40 + (row % 2) * 50, height - (row + 1) * height * 0.085
            if column in (3, 4) and row > 3:
                continue
            sack = shade((215, 200, 160), rng.randint(-30, 15))
            draw.rounded_rectangle((x, y, x + width / 8 - 6, y + height * 0.08), radius=22, fill=sack)
            draw.line(
                [(x + 20, y + height * 0.04), (x + width / 8 - 26, y + height * 0.04)], fill=shade(sack, -40), width=4
            )


def harbour(image: Image.Image, rng: random.Random) -> None:
    width, height = image.size
    draw = ImageDraw.Draw(image)
    horizon = height * 0.62
    draw.rectangle((0, horizon, width, height), fill=(30, 60, 95))
    for y in range(int(horizon) + 10, height, 18):
        draw.line([(rng.randint(0, width // 2), y), (rng.randint(width // 2, width), y)], fill=(230, 160, 120), width=2)
    for crane in range(3):
        x = width * (0.15 + crane * 0.12)
        draw.line([(x, horizon), (x, height * 0.2)], fill=(25, 30, 45), width=14)
        draw.line([(x - 60, height * 0.22), (x + 260, height * 0.28)], fill=(25, 30, 45), width=12)
        draw.line([(x + 200, height * 0.27), (x + 200, height * 0.45)], fill=(25, 30, 45), width=3)
    draw.polygon(
        [
            (width * 0.5, horizon - 10),
            (width * 0.95, horizon - 10),
            (width * 0.9, horizon + 60),
            (width * 0.53, horizon + 60),
        ],
        fill=(35, 30, 35),
    )
    for box in range(8):
        x = width * 0.53 + box * width * 0.045
        draw.rectangle(
            (x, horizon - 60, x + width * 0.04, horizon - 12), fill=shade((150, 60, 50), rng.randint(-40, 60))
        )


def corridor(image: Image.Image, rng: random.Random) -> None:
    width, height = image.size
    draw = ImageDraw.Draw(image)
    cx, cy = width * 0.5, height * 0.45
    draw.polygon([(0, height), (width, height), (cx + 80, cy + 50), (cx - 80, cy + 50)], fill=(140, 125, 110))
    draw.polygon([(0, 0), (0, height), (cx - 80, cy + 50), (cx - 80, cy - 60)], fill=(200, 195, 185))
    draw.polygon([(width, 0), (width, height), (cx + 80, cy + 50), (cx + 80, cy - 60)], fill=(185, 180, 170))
    draw.rectangle((cx - 80, cy - 60, cx + 80, cy + 50), fill=(240, 235, 220))
    for flag in range(7):
        t = flag / 7
        for side in (-1, 1):
            x = cx + side * (80 + (width / 2 - 80) * (1 - t) * 0.95)
            top = cy - 60 - (cy - 60) * (1 - t) * 0.6
            size = 30 + 170 * (1 - t)
            colour = shade((rng.randint(60, 200), rng.randint(40, 160), rng.randint(40, 160)), 0)
            left, right = sorted((x, x - side * size * 0.6))
            draw.rectangle((left, top, right, top + size * 0.4), fill=colour)
            draw.line([(x, top), (x, top + size * 1.6)], fill=(90, 80, 70), width=max(2, int(size / 25)))
    image.paste(image.filter(ImageFilter.GaussianBlur(3)))
    person(draw, cx - 25, cy + 45, 70, (40, 40, 50))
    person(draw, cx + 25, cy + 45, 66, (60, 45, 40))


def desk(image: Image.Image, rng: random.Random) -> None:
    width, height = image.size
    image.paste(Image.new("RGB", image.size, (105, 75, 50)))
    for sheet in range(4):
        layer = Image.new("RGBA", (520, 700), (245, 243, 236, 255))
        lines = ImageDraw.Draw(layer)
        for line in range(40, 660, 26):
            lines.line([(40, line), (rng.randint(280, 480), line)], fill=(150, 150, 150), width=6)
        if sheet == 3:
            for bar in range(6):
                top = rng.randint(420, 600)
                lines.rectangle((60 + bar * 70, top, 100 + bar * 70, 660), fill=(40, 90, 150))
        layer = layer.rotate(rng.uniform(-25, 25), expand=True, resample=Image.BICUBIC)
        image.alpha_composite(layer, (rng.randint(0, width - 700), rng.randint(-100, height - 600)))
    draw = ImageDraw.Draw(image)
    x, y = width * 0.82, height * 0.3
    draw.ellipse((x - 110, y - 110, x + 110, y + 110), fill=(235, 235, 230))
    draw.ellipse((x - 80, y - 80, x + 80, y + 80), fill=(70, 40, 25))
    draw.rounded_rectangle((width * 0.75, height * 0.6, width * 0.92, height * 0.95), radius=20, fill=(50, 50, 55))
    for key in range(12):
        kx, ky = width * 0.765 + (key % 3) * 80, height * 0.72 + (key // 3) * 55
        draw.rounded_rectangle((kx, ky, kx + 60, ky + 40), radius=6, fill=(200, 200, 200))


def portrait(image: Image.Image, rng: random.Random) -> None:
    width, height = image.size
    bokeh(image, rng, (250, 200, 120), 30, (0.0, 0.9))
    image.paste(image.filter(ImageFilter.GaussianBlur(12)))
    draw = ImageDraw.Draw(image)
    x = width * rng.uniform(0.38, 0.6)
    scale = height / 1000
    skin = rng.choice([(60, 40, 35), (120, 85, 65), (175, 130, 100), (90, 60, 45)])
    cloth = rng.choice([(120, 40, 60), (40, 60, 110), (50, 50, 55), (150, 120, 80), (40, 90, 80)])
    draw.rounded_rectangle(
        (x - 380 * scale, height * 0.62, x + 380 * scale, height * 1.3), radius=int(200 * scale), fill=cloth
    )
    draw.rectangle((x - 70 * scale, height * 0.5, x + 70 * scale, height * 0.68), fill=skin)
    draw.ellipse((x - 150 * scale, height * 0.18, x + 150 * scale, height * 0.6), fill=skin)
    hair = rng.choice([(25, 20, 20), (70, 45, 30), (120, 40, 60), (200, 190, 180)])
    draw.chord((x - 165 * scale, height * 0.14, x + 165 * scale, height * 0.5), 180, 360, fill=hair)


def map_scene(image: Image.Image, rng: random.Random) -> None:
    width, height = image.size
    image.paste(Image.new("RGB", image.size, (228, 220, 190)))
    draw = ImageDraw.Draw(image)
    for _ring in range(14):
        cx, cy = rng.uniform(0.2, 0.8) * width, rng.uniform(0.2, 0.8) * height
        for step in range(1, 6):
            r = step * rng.randint(30, 50)
            draw.ellipse((cx - r * 1.4, cy - r, cx + r * 1.4, cy + r), outline=(170, 150, 110), width=3)
    draw.line([(0, height * 0.7), (width * 0.4, height * 0.55), (width, height * 0.62)], fill=(90, 140, 190), width=18)
    for x in range(0, width, 160):
        draw.line([(x, 0), (x, height)], fill=(190, 180, 150), width=2)
    for y in range(0, height, 160):
        draw.line([(0, y), (width, y)], fill=(190, 180, 150), width=2)
    for _ in range(9):
        px, py = rng.uniform(0.1, 0.9) * width, rng.uniform(0.1, 0.9) * height
        colour = rng.choice([(200, 40, 40), (30, 90, 180), (240, 190, 30)])
        draw.ellipse((px - 18, py - 18, px + 18, py + 18), fill=colour)
        draw.line([(px, py + 18), (px + 6, py + 60)], fill=(80, 80, 80), width=5)
    image.paste(image.filter(ImageFilter.GaussianBlur(1)))


def camp(image: Image.Image, rng: random.Random) -> None:
    width, height = image.size
    draw = ImageDraw.Draw(image)
    horizon = height * 0.45
    draw.rectangle((0, horizon, width, height), fill=(170, 140, 100))
    for row in range(5):
        y = horizon + (row + 1) * height * 0.1
        size = 40 + row * 30
        for col in range(-1, int(width / (size * 2.4)) + 2):
            x = col * size * 2.4 + (row % 2) * size
            if rng.random() < 0.3:
                draw.rectangle((x, y - size * 0.9, x + size * 1.8, y), fill=(225, 225, 220))
                draw.rectangle((x, y - size * 0.9, x + size * 1.8, y - size * 0.75), fill=(40, 90, 160))
            else:
                draw.polygon([(x, y), (x + size, y - size), (x + size * 2, y)], fill=(240, 238, 232))
                draw.polygon([(x + size, y), (x + size, y - size), (x + size * 2, y)], fill=(205, 200, 195))
    for post in range(0, width, 60):
        draw.line([(post, horizon + 20), (post, horizon - 20)], fill=(70, 70, 70), width=3)
    draw.line([(0, horizon - 10), (width, horizon - 10)], fill=(90, 90, 90), width=2)


SCENES: dict[str, tuple[Callable[[Image.Image, random.Random], None], Colour, Colour]] = {
    "chamber": (chamber, (70, 55, 50), (120, 90, 70)),
    "hall": (hall, (120, 150, 175), (90, 70, 55)),
    "podium": (podium, (60, 45, 35), (110, 80, 50)),
    "convoy": (convoy, (240, 170, 110), (250, 215, 160)),
    "hills": (hills, (150, 185, 215), (225, 230, 225)),
    "warehouse": (warehouse, (50, 45, 40), (90, 80, 65)),
    "harbour": (harbour, (240, 180, 150), (250, 220, 190)),
    "corridor": (corridor, (220, 215, 205), (200, 195, 185)),
    "desk": (desk, (105, 75, 50), (105, 75, 50)),
    "portrait": (portrait, (70, 55, 45), (40, 30, 25)),
    "map": (map_scene, (228, 220, 190), (228, 220, 190)),
    "camp": (camp, (150, 190, 225), (235, 225, 205)),
}


SIZE: Size = (1600, 1000)


def draw(scene: str, seed: int, size: Size | None = None) -> bytes:
    """A JPEG of the scene: sky, composition, grain and vignette. Deterministic per (scene, seed)."""
    size = size or SIZE
    rng = random.Random(seed)
    paint, top, bottom = SCENES[scene]
    image = gradient(size, top, bottom).convert("RGBA")
    paint(image, rng)
    picture = image.convert("RGB")
    # Film grain, then a vignette darkening the corners, as a lens and a sensor would.
    noise = Image.effect_noise(size, 22).convert("RGB")
    picture = ImageChops.blend(picture, ImageChops.overlay(picture, noise), 0.25)
    vignette = Image.radial_gradient("L").resize(size).point(lambda v: 255 - int(v * 0.45))
    picture = Image.composite(picture, Image.new("RGB", size, (0, 0, 0)), vignette)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()
