"""The triton backend against a real tritonserver (see conftest.py): replies, pictures, cancel,
several kiosks at once, an unreachable server, and a server killed mid-reply then restarted."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import numpy as np
import pytest

from edge_vdialog.bundle import Bundle
from edge_vdialog.dialogue import Sampling, load_chat
from edge_vdialog.dialogue.skills import SkilledDialogue
from edge_vdialog.engines import EngineOptions
from edge_vdialog.engines.triton import AnswerInterrupted, ServerUnavailable
from edge_vdialog.errors import UserError
from edge_vdialog.imagegen import load_image_generator
from tests.standins import wait_for

ROOT = Path(__file__).resolve().parents[2]
GREEDY = Sampling(greedy=True, max_new_tokens=24)
LINES = ["hello there, how are you today?", "what is your name?", "the weather is nice"]


def options(url: str, **kw) -> EngineOptions:
    return EngineOptions(backend="triton", url=url, timeout_s=5, piece_timeout_s=2, retry_max_s=1, **kw)


def talk(chat, lines=LINES, sampling=GREEDY) -> list[list[str]]:
    return [list(chat.send(line, sampling)) for line in lines]


def test_greedy_replies_equal_local_and_stream(triton, tiny):
    bundle = Bundle.load(tiny["gpt2_int8"])
    remote, local = load_chat(bundle, options(triton.url)), load_chat(bundle)
    assert remote.provider == f"triton {triton.url}"
    remote_pieces, local_pieces = talk(remote), talk(local)
    assert ["".join(p) for p in remote_pieces] == ["".join(p) for p in local_pieces]
    assert remote.kept == [[m.role, m.text] for m in local.kept]    # the same history, server-side
    assert max(len(p) for p in remote_pieces) > 1                    # pieces streamed one by one


def test_a_skill_answer_on_the_kiosk_joins_the_servers_history(triton, tiny):
    bundle = Bundle.load(tiny["gpt2_int8"])
    remote, local = load_chat(bundle, options(triton.url)), load_chat(bundle)
    kiosk = SkilledDialogue(remote)
    assert talk(kiosk, ["what is 6 times 7?"]) == [["6 times 7 is 42."]]
    assert remote.kept == [["user", "what is 6 times 7?"], ["assistant", "6 times 7 is 42."]]
    local.remember("what is 6 times 7?", "6 times 7 is 42.")
    assert talk(kiosk, ["and after that?"]) == talk(local, ["and after that?"])    # the prompt held the sum
    assert remote.kept == [[m.role, m.text] for m in local.kept]


def test_picture_equals_local(triton):
    bundle = Bundle.load(ROOT / "models" / "default")
    remote, local = load_image_generator(bundle, options(triton.url)), load_image_generator(bundle)
    for text, seed in (("a red apple", 1), ("a happy dog", 7)):
        assert np.array_equal(remote.generate(text, seed=seed), local.generate(text, seed=seed))


def test_cancel_stops_generation_on_the_server(triton, tiny_long):
    chat = load_chat(Bundle.load(tiny_long), options(triton.url))
    before = triton.log.read_text().count("cancelled after")
    cancel = threading.Event()
    pieces = chat.send("hello", Sampling(greedy=True, max_new_tokens=2000), cancel=cancel)
    next(pieces)                              # the first piece, of ~650 (see tiny_long)
    cancel.set()                              # barge-in
    assert list(pieces) == []
    wait_for(lambda: triton.log.read_text().count("cancelled after") > before)
    assert triton.log.read_text().count("cancelled after") == before + 1
    assert "".join(talk(chat, ["what is your name?"])[0])      # the instance answers the next one


def test_four_kiosks_at_once_get_independent_replies(triton, tiny):
    bundle = Bundle.load(tiny["gpt2_int8"])
    scripts = [LINES[i:] + LINES[:i] for i in range(4)]
    expected = [talk(load_chat(bundle), s) for s in scripts]
    got: list = [None] * 4
    chats = [load_chat(bundle, options(triton.url)) for _ in range(4)]

    def kiosk(i: int) -> None:
        got[i] = talk(chats[i], scripts[i])
    threads = [threading.Thread(target=kiosk, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert [["".join(p) for p in g] for g in got] == [["".join(p) for p in e] for e in expected]


def test_unreachable_server_is_named_or_falls_back(tiny):
    bundle = Bundle.load(tiny["gpt2_int8"])
    with pytest.raises(ServerUnavailable, match="127.0.0.1:9 is unreachable"):
        load_chat(bundle, options("grpc://127.0.0.1:9", ))
    chat = load_chat(bundle, options("grpc://127.0.0.1:9", fallback=True))
    assert not chat.status().online and "answering from the local bundle" in chat.status().message
    assert ["".join(p) for p in talk(chat)] == ["".join(p) for p in talk(load_chat(bundle))]


def test_server_killed_mid_reply_then_restarted_recovers(triton, tiny):
    bundle = Bundle.load(tiny["gpt2_int8"])
    chat = load_chat(bundle, options(triton.url))
    expected = "".join(talk(load_chat(bundle), LINES[:1])[0])
    triton.pause(True)                                  # the request is taken, no piece comes back
    pieces = chat.send(LINES[0], GREEDY)
    killer = threading.Timer(0.5, triton.kill)
    killer.start()
    with pytest.raises(UserError) as fault:
        list(pieces)
    killer.join()
    assert isinstance(fault.value, (ServerUnavailable, AnswerInterrupted)) and triton.url in str(fault.value)
    assert not chat.status().online and triton.url in chat.status().message
    with pytest.raises(ServerUnavailable):              # fails at once while the server is away
        list(chat.send(LINES[0], GREEDY))
    triton.start()
    assert wait_for(lambda: chat.status().online, timeout_s=30)        # the probe finds it again
    assert "".join(talk(chat, LINES[:1])[0]) == expected


def test_decoder_is_not_offered():
    from edge_vdialog.engines import open_decoder
    with pytest.raises(UserError, match="generates replies on the server"):
        open_decoder(ROOT / "models" / "default" / "dialogue" / "model.onnx", 64,
                     dataclasses.replace(EngineOptions(), backend="triton"))


def test_kiosk_keeps_rendering_while_the_server_dies_and_recovers_by_itself(triton, tiny):
    """The whole kiosk on the triton backend: the server dies mid-reply; frames keep coming, the
    turn says the answer was interrupted, the status line and /healthz's reasons name the server,
    and once it is back the next turn is answered with no restart."""
    from edge_vdialog.app import Kiosk
    from edge_vdialog.media.sinks import open_sink
    from edge_vdialog.telemetry import Telemetry

    bundle = Bundle.load(tiny["gpt2_int8"])
    expected = "".join(talk(load_chat(bundle), LINES[:1])[0])
    kiosk = Kiosk(load_chat(bundle, options(triton.url)), GREEDY, open_sink("null://"), Telemetry())
    thread = threading.Thread(target=kiosk.run)
    thread.start()
    try:
        triton.pause(True)                              # the request is taken, no piece comes back
        turn = kiosk.submit(LINES[0])
        threading.Timer(0.5, triton.kill).start()
        assert turn.done.wait(30) and triton.url in turn.error
        frames = len(kiosk.frame_times)
        assert wait_for(lambda: "inference" in kiosk.telemetry.degraded())
        assert wait_for(lambda: len(kiosk.frame_times) > frames + 10)   # frames go on meanwhile
        shown = kiosk._reply(turn)
        assert "Sorry, something went wrong" in shown and triton.url in shown
        triton.start()
        assert wait_for(lambda: "inference" not in kiosk.telemetry.degraded(), timeout_s=30)
        again = kiosk.submit(LINES[0])
        assert again.done.wait(30) and again.reply.strip() == expected.strip() and not again.error
    finally:
        kiosk.stop()
        thread.join(10)

