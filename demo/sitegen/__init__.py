"""Generator of the offline sample news site in `demo/site/` (run `python -m demo.sitegen`).

One module per fictional outlet holds its HTML template, its articles and its feeds; `build`
renders them into `demo/site/www/` and writes `demo/site/manifest.json`, which tests read.
"""
