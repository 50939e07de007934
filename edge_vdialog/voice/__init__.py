"""Speech output: sentences of a streaming reply -> espeak-ng phonemes -> piper VITS voice -> speaker."""
