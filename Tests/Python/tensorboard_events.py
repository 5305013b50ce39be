"""Reads a run directory's event files with TensorBoard's own reader and prints, as JSON,
every scalar tag's [step, value] pairs and every image tag's [step, width, height, PNG
bytes] (the PNG checked to decode to that size)."""
import json
import struct
import sys
import zlib

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

accumulator = EventAccumulator(sys.argv[1], size_guidance={"scalars": 0, "images": 0})
accumulator.Reload()
tags = accumulator.Tags()
scalars = {tag: [[e.step, e.value] for e in accumulator.Scalars(tag)] for tag in tags["scalars"]}
images = {}
for tag in tags["images"]:
    images[tag] = []
    for event in accumulator.Images(tag):
        png = event.encoded_image_string
        assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
        width, height = struct.unpack(">II", png[16:24])
        assert (width, height) == (event.width, event.height), "PNG size differs from the summary's"
        # The image data inflates to one filter byte and width x channels bytes per row.
        start = png.index(b"IDAT") + 4
        length = struct.unpack(">I", png[start - 8:start - 4])[0]
        raw = zlib.decompress(png[start:start + length])
        channels = (len(raw) // height - 1) // width
        assert len(raw) == height * (1 + width * channels), "PNG rows of the wrong length"
        images[tag].append([event.step, event.width, event.height, len(png)])
print(json.dumps({"scalars": scalars, "images": images}))
