#!/usr/bin/env python3
"""Runs a peer reference (../shared/peers/jax_ref.py or torch_ref.py) with hidden width W in
place of 512, for the scaling table: python3 jax_width.py W PATH [the reference's flags]."""
import pathlib
import sys

width = int(sys.argv[1])
path = pathlib.Path(sys.argv[2])
sys.argv = [str(path)] + sys.argv[3:]
source = path.read_text().replace("512, 512", f"{width}, {width}")
exec(compile(source, str(path), "exec"), {"__name__": "__main__", "__file__": str(path)})
