"""The media engine's PCM side: codecs, DTMF detection, jitter buffering and pacing, tones, mixing,
prompts, playing and recording (ARCHITECTURE.md "Media engine"); RTP itself is in core/rtp."""
