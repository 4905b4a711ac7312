"""Offline demo material for newsmon: a sample news site and the local server that serves it.

`demo.server.SampleSite` serves `demo/site/www` on 127.0.0.1 for the demo and for end-to-end crawler
tests; `demo.sitegen` is the script that writes that site (and its `manifest.json`) from the
article texts kept in Python, so pages, feeds and manifest cannot drift apart.
"""
