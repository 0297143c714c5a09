// A small, dependency-free SVG line-chart writer: white background, title, y axis with
// "nice" ticks and grid lines, x axis with thinned category labels, one polyline per
// series and a legend on the right. Output is plain SVG 1.1 that rsvg-convert, browsers
// and image viewers render alike.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace qscan::tools {

struct ChartSeries {
  std::string name;
  std::string color;           // "#rrggbb"
  std::vector<double> values;  // one per x label; shorter series end early
};

struct LineChart {
  std::string title;
  std::string y_label;
  std::vector<std::string> x_labels;
  std::vector<ChartSeries> series;
  int width = 960;
  int height = 420;
};

// The plot rectangle in SVG user units (= pixels at 1:1).
struct PlotArea {
  double left = 0, top = 0, width = 0, height = 0;
};

PlotArea plot_area(const LineChart& chart);

// The y axis top: the smallest 1/2/5 x 10^k multiple of the tick step at or above `max`
// (at least 1), and the step, for about five ticks.
struct YScale {
  double max = 1;
  double step = 1;
};
YScale y_scale(double max_value);

std::string render_svg(const LineChart& chart);

// &, <, >, " and ' escaped; control bytes dropped.
std::string xml_escape(std::string_view s);

}  // namespace qscan::tools
