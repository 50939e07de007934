"""Corpus readers, cleaning and split on tiny real files; bad input names the file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from edge_vdialog.errors import UserError
from export.dialogue.corpus import MAX_TURN_CHARS, clean, load_corpus, read_source

CHATS = [["hi there", "hello! how are you?", "fine, thanks"], ["what is your name?", "I am the kiosk."],
         ["good morning", "morning!"], ["bye", "see you"]]


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_jsonl_reads_conversations(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [json.dumps(c) for c in CHATS] + [""])
    assert read_source(str(path)) == CHATS


def test_yaml_reads_chatterbot_format(tmp_path):
    path = tmp_path / "c.yml"
    path.write_text("categories:\n- test\nconversations:\n- - Hello\n  - Hi\n- - How are you?\n  - Fine\n",
                    encoding="utf-8")
    assert read_source(str(path)) == [["Hello", "Hi"], ["How are you?", "Fine"]]
    assert read_source(str(tmp_path)) == [["Hello", "Hi"], ["How are you?", "Fine"]]


@pytest.mark.parametrize("bad, message", [
    ('["a", "b"', "c.jsonl:2: not valid JSON"),
    ('{"turns": ["a", "b"]}', "c.jsonl:2: expected a JSON list of turn strings"),
    ('[]', "c.jsonl:2: empty conversation"),
    ('["  ", ""]', "c.jsonl:2: empty conversation"),
])
def test_bad_jsonl_names_file_and_line(tmp_path, bad, message):
    path = write_jsonl(tmp_path / "c.jsonl", [json.dumps(CHATS[0]), bad, json.dumps(CHATS[1])])
    with pytest.raises(UserError, match=message):
        read_source(str(path))


def test_non_utf8_names_file_and_line(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_bytes(b'["hi", "ho"]\n["caf\xe9", "ok"]\n')
    with pytest.raises(UserError, match=r"c.jsonl:2: not UTF-8 \(byte 0xe9"):
        read_source(str(path))


def test_bad_yaml_names_file_and_line(tmp_path):
    path = tmp_path / "c.yml"
    path.write_text("conversations:\n- - Hello\n  - [unclosed\n- - Bye\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"c.yml:\d+: not valid YAML"):
        read_source(str(path))


def test_empty_yaml_conversation_names_line(tmp_path):
    path = tmp_path / "c.yml"
    path.write_text("conversations:\n- - Hello\n  - Hi\n- []\n", encoding="utf-8")
    with pytest.raises(UserError, match="c.yml:4: conversation 2 is empty"):
        read_source(str(path))


def test_unknown_source_lists_the_formats(tmp_path):
    with pytest.raises(UserError, match="corpus not found") as e:
        read_source(str(tmp_path / "missing.txt"))
    assert ".jsonl" in e.value.hint


def test_clean_normalises_dedupes_and_splits_at_long_turns():
    long = "x" * (MAX_TURN_CHARS + 1)
    convs, counts = clean([[" hi\tthere ", "hi  there", "", "yo"], ["hi there", "yo"], ["solo"],
                           ["a", "b", long, "c", "d"]])
    assert convs == [["hi there", "yo"], ["a", "b"], ["c", "d"]]
    assert counts == {"read": 4, "too short": 1, "duplicate": 1, "long turns": 1, "kept": 3}


def test_split_is_by_conversation_and_fixed_by_seed(tmp_path):
    chats = [[f"question {i}", f"answer {i}"] for i in range(40)]
    path = write_jsonl(tmp_path / "c.jsonl", [json.dumps(c) for c in chats])
    a, b = load_corpus([str(path)], seed=3), load_corpus([str(path)], seed=3)
    assert (a.train, a.val) == (b.train, b.val)
    assert len(a.val) == 2 and len(a.train) == 38
    assert not {tuple(c) for c in a.val} & {tuple(c) for c in a.train}
    assert "38 train + 2 validation" in a.summary()


def test_chitchat_package_reads():
    pytest.importorskip("chitchat_dataset")
    corpus = load_corpus(["chitchat"])
    assert len(corpus.train) > 3000 and all(len(c) >= 2 for c in corpus.val)
