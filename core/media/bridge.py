"""Two media endpoints joined: each hears what the other's phone sends (``Channel.bridge``).

Every frame one endpoint decodes is fed to the other, resampled when one speaks wideband (G.722,
16 kHz) and the other narrowband (G.711, 8 kHz): the other endpoint encodes it in its own codec, so
legs that share no codec are transcoded (BYD-04). Both endpoints tick on the shared media clock.
"""

from __future__ import annotations

from collections.abc import Callable

from cordboard.core.media.codecs.resample import Resampler
from cordboard.core.media.endpoint import MediaEndpoint, Pcm


class AudioBridge:
    """Feeds ``a``'s received audio to ``b`` and ``b``'s to ``a`` between ``start`` and ``stop``."""

    def __init__(self, a: MediaEndpoint, b: MediaEndpoint) -> None:
        self._a = a
        self._b = b
        self._links: list[tuple[MediaEndpoint, Callable[[Pcm], None]]] = []

    def start(self) -> None:
        if self._links:
            return
        for source, sink in ((self._a, self._b), (self._b, self._a)):
            source.source = None  # a ringback tone or hold music stops when the parties meet
            link = _link(source.sample_rate, sink)
            source.listeners.append(link)
            self._links.append((source, link))

    def stop(self) -> None:
        for source, link in self._links:
            if link in source.listeners:
                source.listeners.remove(link)
        self._links.clear()

    def __enter__(self) -> AudioBridge:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def _link(from_rate: int, sink: MediaEndpoint) -> Callable[[Pcm], None]:
    if from_rate == sink.sample_rate:
        return sink.feed
    resampler = Resampler(from_rate, sink.sample_rate)

    def feed_resampled(frame: Pcm) -> None:
        sink.feed(resampler.process(frame))

    return feed_resampled
