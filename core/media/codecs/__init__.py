"""Audio codecs behind one registry (G.711, G.722, Opus)."""
