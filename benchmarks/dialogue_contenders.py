"""One dialogue-benchmark contender, run in its own fresh process by bench_dialogue.py.

    python benchmarks/dialogue_contenders.py ours|optimum|optimum-std|transformers DIR PROMPT_IDS NEW_TOKENS

Prints one JSON line: ready_wall (time.time() when loaded), ttft_s, step_s (per decode token),
tokens, peak_rss_mb, heavy_modules (torch/transformers/optimum imported by this process).
The `ours` path imports only the runtime package, never torch.
"""

from __future__ import annotations

import json
import sys
import time


def ours(bundle: str, ids: list[int], new: int) -> tuple[float, list[float], list[int]]:
    from edge_vdialog.bundle import Bundle
    from edge_vdialog.dialogue import Sampling, load_chat

    chat = load_chat(Bundle.load(bundle))
    chat.eos_ids = set()                     # random weights: always produce `new` tokens
    ready()
    stamps, tokens = [time.perf_counter()], []
    for token in chat.tokens(ids, Sampling(greedy=True, repetition_penalty=1.0), new):
        stamps.append(time.perf_counter())
        tokens.append(token)
    return stamps[1] - stamps[0], [b - a for a, b in zip(stamps[1:], stamps[2:])], tokens


def hf(kind: str, model_dir: str, ids: list[int], new: int) -> tuple[float, list[float], list[int]]:
    import torch
    from transformers.generation.streamers import BaseStreamer

    if kind.startswith("optimum"):
        from optimum.onnxruntime import ORTModelForCausalLM
        model = ORTModelForCausalLM.from_pretrained(model_dir, use_cache=True)
    else:
        from transformers import AutoModelForCausalLM
        model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).eval()

    class Stamps(BaseStreamer):
        def __init__(self) -> None:
            self.times: list[float] = []

        def put(self, value) -> None:          # first call: the prompt; then one per new token
            self.times.append(time.perf_counter())

        def end(self) -> None:
            pass

    ready()
    streamer = Stamps()
    x = torch.tensor([ids])
    with torch.no_grad():
        start = time.perf_counter()
        out = model.generate(x, attention_mask=torch.ones_like(x), do_sample=False, max_new_tokens=new,
                             min_new_tokens=new, pad_token_id=0, streamer=streamer)
    t = streamer.times[1:]
    return t[0] - start, [b - a for a, b in zip(t, t[1:])], out[0, len(ids):].tolist()


_READY: list[float] = []


def peak_rss_mb() -> float:
    """VmHWM of this process (ru_maxrss would include the parent's RSS from before exec)."""
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def ready() -> None:
    _READY.append(time.time())


def main() -> None:
    kind, path, ids_s, new_s = sys.argv[1:5]
    ids, new = [int(i) for i in ids_s.split(",")], int(new_s)
    ttft, steps, tokens = ours(path, ids, new) if kind == "ours" else hf(kind, path, ids, new)
    heavy = sorted(m for m in ("torch", "transformers", "optimum") if m in sys.modules)
    print(json.dumps({"ready_wall": _READY[0], "ttft_s": ttft, "step_s": steps, "tokens": tokens,
                      "peak_rss_mb": peak_rss_mb(),
                      "heavy_modules": heavy}))


if __name__ == "__main__":
    main()
