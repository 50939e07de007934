"""The compositor: layout, crisp image scaling, Unicode text (CJK, emoji), caching."""

from __future__ import annotations

import numpy as np
import pytest

from edge_vdialog.compose import Compositor, Fonts, TextRenderer, View
from edge_vdialog.compose.frame import BG, HEARD, WARN, WHITE, bgr

CJK = Fonts.find().cjk is not None
EMOJI = Fonts.find().emoji is not None


@pytest.fixture(scope="module")
def comp():
    return Compositor(1280, 720)


def region(frame, box):
    x, y, w, h = box
    return frame[y:y + h, x:x + w]


def test_frame_shape_and_picture_filling_its_box(comp):
    image = np.zeros((64, 64, 3), np.uint8)
    image[:, :32] = (255, 0, 0)  # left half red, RGB
    frame = comp.compose(View(image=image, image_id=1))
    assert frame.shape == (720, 1280, 3) and frame.dtype == np.uint8
    x, y, w, h = comp.image_box
    assert (frame[y + h // 2, x + 5] == (0, 0, 255)).all()           # red in BGR at the left edge
    assert (frame[y + h // 2, x + w - 5] == 0).all()                 # black at the right edge


def test_large_image_is_shrunk_to_fit(comp):
    frame = comp.compose(View(image=np.full((2000, 1000, 3), 200, np.uint8), image_id=2))
    drawn = (region(frame, comp.image_box) == 200).all(axis=2)
    ys, xs = np.nonzero(drawn)  # 1000 wide, 2000 high: as high as the box, half as wide, solid
    side = comp.image_box[3]
    assert (np.ptp(ys) + 1, np.ptp(xs) + 1, drawn.sum()) == (side, side // 2, side * (side // 2))


def test_reply_and_heard_text_are_drawn(comp):
    frame = comp.compose(View(heard="hello", reply="A reply that is long enough to wrap " * 4))
    x, y, w = comp.right
    text = region(frame, (x, y, w, comp.pip_box[1] - y))
    heard_rows = np.nonzero((text == bgr(HEARD)).all(axis=2).any(axis=1))[0]
    reply_rows = np.nonzero((text == bgr(WHITE)).all(axis=2).any(axis=1))[0]
    assert heard_rows.size and heard_rows.max() < comp.heard_text.line_height * 2  # under YOU SAID
    assert reply_rows.min() > heard_rows.max()                          # the reply comes below
    assert np.ptp(reply_rows) > 2 * comp.reply_text.line_height           # wrapped: three lines or more


@pytest.mark.skipif(not CJK, reason="needs Debian fonts-noto-cjk")
def test_chinese_glyphs_are_real_not_tofu():
    r = TextRenderer(Fonts.find(), 32)
    a, b = r.render("你", (255, 255, 255), (0, 0, 0)), r.render("好", (255, 255, 255), (0, 0, 0))
    assert a.shape == b.shape and (a != b).any()     # missing glyphs all draw the same box
    assert a.max() > 128


@pytest.mark.skipif(len(Fonts.find().text) < 2, reason="needs fonts-noto-cjk and fonts-dejavu-core")
def test_scripts_missing_from_the_cjk_font_fall_back():
    r = TextRenderer(Fonts.find(), 32)
    glyphs = [r.render(ch, (255, 255, 255), (0, 0, 0)) for ch in "مש✓"]  # Arabic, Hebrew, check mark
    assert [f for f, _ in r.runs("مش✓")] == [1, 0]  # DejaVu, then back to the first font
    assert all(g.max() > 128 for g in glyphs)
    assert glyphs[0].shape != glyphs[1].shape or (glyphs[0] != glyphs[1]).any()


@pytest.mark.skipif(not EMOJI, reason="needs Debian fonts-noto-color-emoji")
def test_emoji_render_in_colour():
    pizza = TextRenderer(Fonts.find(), 32).render("🍕", (255, 255, 255), (0, 0, 0)).astype(int)
    assert (np.abs(pizza[..., 2] - pizza[..., 0]) > 60).sum() > 100  # red and blue differ: colour


def test_wrap_respects_width_for_words_and_cjk():
    r = TextRenderer(Fonts.find(), 28)
    for text in ("the quick brown fox jumps over the lazy dog " * 3, "我们去公园散步吧今天天气很好" * 3):
        lines = r.wrap(text, 300)
        assert len(lines) > 1
        assert all(r.width(line) <= 300 for line in lines)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_rendered_lines_are_cached():
    r = TextRenderer(Fonts.find(), 20)
    assert r.render("same", (1, 2, 3), (0, 0, 0)) is r.render("same", (1, 2, 3), (0, 0, 0))


def test_without_fonts_latin_still_renders():
    r = TextRenderer(Fonts((), None), 20)
    assert r.render("hello", (255, 255, 255), (0, 0, 0)).max() > 0


def test_attract_screen_differs_and_shows_camera(comp):
    cam = np.full((480, 640, 3), (0, 255, 0), np.uint8)
    attract = comp.compose(View(attract=True, camera=cam)).copy()
    normal = comp.compose(View(camera=cam))
    assert (attract != normal).any()
    assert ((attract == (0, 255, 0)).all(axis=2)).sum() > 80_000  # the camera, larger than the 320x180 PiP


def test_status_alerts_are_drawn(comp):
    plain = comp.compose(View(status="idle")).copy()
    alert = comp.compose(View(status="idle", alerts=("camera offline",)))
    bar = (slice(comp.bar_y, 720), slice(640, 1280))
    assert not (plain[bar] == bgr(WARN)).all(axis=2).any()
    assert (alert[bar] == bgr(WARN)).all(axis=2).sum() > 50     # the alert, in the warning colour
    assert (plain[bar] == np.array(BG)).all(axis=2).sum() == 0  # the bar has its own colour


def test_other_resolutions():
    frame = Compositor(640, 360).compose(View(reply="hi", image=np.zeros((64, 64, 3), np.uint8)))
    assert frame.shape == (360, 640, 3)



def test_picture_is_smooth_and_cross_fades(monkeypatch):
    from edge_vdialog.compose import frame as frame_module
    from edge_vdialog.compose.frame import FADE_S
    clock = [100.0]                                               # the compositor's clock, seconds
    monkeypatch.setattr(frame_module.time, "monotonic", lambda: clock[0])
    comp = Compositor(1280, 720)
    x, y, w, h = comp.image_box
    checker = np.indices((64, 64)).sum(axis=0) % 2 * 255              # hardest case for nearest
    black_white = np.repeat(checker[..., None], 3, axis=2).astype(np.uint8)
    frame = comp.compose(View(image=black_white, image_id=1)).copy()
    box = frame[y:y + h, x:x + w]
    assert len(np.unique(box)) > 16                              # interpolated, not 2-level blocks
    grey = np.full((64, 64, 3), 128, np.uint8)
    comp.compose(View(image=grey, image_id=2))                    # the fade starts
    clock[0] += FADE_S / 4
    mid = comp.compose(View(image=grey, image_id=2))[y:y + h, x:x + w].copy()
    assert np.abs(mid.astype(int) - 128).mean() > 5               # still fading: the old picture shows
    clock[0] += FADE_S
    done = comp.compose(View(image=grey, image_id=2))[y:y + h, x:x + w]
    assert np.abs(done.astype(int) - 128).max() <= 1               # the fade has ended


def test_picture_credit_is_shown_under_the_picture(comp):
    x, y, w, h = comp.image_box
    image = np.full((64, 64, 3), 200, np.uint8)
    below = slice(y + h + 2, y + h + 2 + comp.tiny.line_height), slice(x, x + w)
    plain = comp.compose(View(image=image, image_id=1))[below].copy()
    credited = comp.compose(View(image=image, image_id=1, credit="Pictures: trained on Twemoji, CC-BY 4.0"))[below]
    assert (plain == BG).all() and (credited != BG).any(axis=2).sum() > 100
