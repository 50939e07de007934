"""PortAudio streams (through sounddevice) for the microphone and the speaker, shared by both.

PortAudio lists devices only when it is initialised, so a replugged card is found by
re-initialising it, which closes every open stream. The rescan therefore happens only while no
stream of this process is open: a microphone reconnecting never cuts the speaker off, nor the
other way round.
"""

from __future__ import annotations

import threading

from edge_vdialog.errors import UserError
from edge_vdialog.media.uri import Uri

AUDIO_HINT = "pip install 'edge-vdialog[audio]' and apt install libportaudio2"

_lock = threading.Lock()
_open = 0  # streams of this process now open


def import_sounddevice(what: str, hint: str):
    """The sounddevice module; a UserError naming ``what`` needs it (and ``hint``) when absent."""
    try:
        import sounddevice
    except (ImportError, OSError) as e:  # OSError: the PortAudio library itself is missing
        raise UserError(f"{what} needs sounddevice and PortAudio ({e})", f"{AUDIO_HINT}, {hint}") from None
    return sounddevice


def open_stream(uri: Uri, output: bool, **options):
    """An (unstarted) sounddevice stream on the device ``uri`` names (``default``, an index or a
    name), devices rescanned first when no other stream is open. Close it with :func:`release`."""
    global _open
    import sounddevice as sd

    device = None if uri.rest in ("", "default") else (int(uri.rest) if uri.rest.isdigit() else uri.rest)
    with _lock:
        if _open == 0:
            sd._terminate()  # PortAudio lists devices only when initialised: rescan for replugs
            sd._initialize()
        stream = (sd.OutputStream if output else sd.InputStream)(device=device, **options)
        _open += 1
    return stream


def release(stream) -> None:
    """Close a stream from :func:`open_stream`."""
    global _open
    stream.close(ignore_errors=True)
    with _lock:
        _open -= 1
