"""Charts drawn on the server as inline SVG: no script, no network, no inline styles.

Each function takes plain figures and returns escaped markup that names itself with a
<title> and <desc>; the page puts the same figures beside it in a table. Geometry lives in
`scale` and `layout` (pure arithmetic); the look lives in site.css and print.css.

- `bar_chart([Bar(label, value)], ...)`: bars either side of zero.
- `strip_chart([Strip(label, values)], ...)`: each value as a dot over its quartile box.
- `trend_chart([Series(label, [(date, value)])], markers=[Marker(date, label)], ...)`: lines
  over time with dated events marked.
"""

from service.web.charts.bars import Bar, bar_chart
from service.web.charts.distribution import Spread, Strip, spread, strip_chart
from service.web.charts.rows import signed
from service.web.charts.trend import Marker, Series, Tick, trend_chart

__all__ = [
    "Bar",
    "Marker",
    "Series",
    "Spread",
    "Strip",
    "Tick",
    "bar_chart",
    "signed",
    "spread",
    "strip_chart",
    "trend_chart",
]
