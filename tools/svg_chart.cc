#include "tools/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace qscan::tools {
namespace {

constexpr double kMarginLeft = 64;
constexpr double kMarginRight = 150;  // legend
constexpr double kMarginTop = 40;
constexpr double kMarginBottom = 56;

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  std::string s = buf;
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  return s;
}

std::string tick_text(double v) {
  char buf[32];
  if (v == std::floor(v))
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (c >= 0x20 && c != 0x7f) out.push_back(ch);
    }
  }
  return out;
}

PlotArea plot_area(const LineChart& chart) {
  PlotArea a;
  a.left = kMarginLeft;
  a.top = kMarginTop;
  a.width = std::max(10.0, chart.width - kMarginLeft - kMarginRight);
  a.height = std::max(10.0, chart.height - kMarginTop - kMarginBottom);
  return a;
}

YScale y_scale(double max_value) {
  YScale y;
  if (!(max_value > 0) || !std::isfinite(max_value)) return y;  // 0..1, one step
  const double raw = max_value / 5;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * mag;
    if (step >= raw) break;
  }
  if (step < 1) step = 1;  // counts: whole numbers
  y.step = step;
  y.max = std::ceil(max_value / step) * step;
  if (y.max < max_value) y.max += step;
  return y;
}

std::string render_svg(const LineChart& chart) {
  const PlotArea a = plot_area(chart);
  double max_value = 0;
  for (const auto& s : chart.series)
    for (double v : s.values)
      if (std::isfinite(v)) max_value = std::max(max_value, v);
  const YScale ys = y_scale(max_value);
  const std::size_t n = chart.x_labels.size();
  auto x_at = [&](std::size_t i) {
    return n <= 1 ? a.left + a.width / 2 : a.left + a.width * static_cast<double>(i) / (n - 1);
  };
  auto y_at = [&](double v) { return a.top + a.height - a.height * (v / ys.max); };

  std::string o;
  o += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  o += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" +
       std::to_string(chart.width) + "\" height=\"" + std::to_string(chart.height) +
       "\" viewBox=\"0 0 " + std::to_string(chart.width) + " " + std::to_string(chart.height) +
       "\" font-family=\"sans-serif\" font-size=\"11\">\n";
  o += "<rect x=\"0\" y=\"0\" width=\"" + std::to_string(chart.width) + "\" height=\"" +
       std::to_string(chart.height) + "\" fill=\"#ffffff\"/>\n";
  o += "<text x=\"" + num(chart.width / 2.0) +
       "\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">" +
       xml_escape(chart.title) + "</text>\n";

  // Y grid, ticks and labels.
  o += "<g stroke=\"#dddddd\" stroke-width=\"1\">\n";
  for (double v = ys.step; v <= ys.max + ys.step / 2; v += ys.step)
    o += "<line x1=\"" + num(a.left) + "\" y1=\"" + num(y_at(v)) + "\" x2=\"" +
         num(a.left + a.width) + "\" y2=\"" + num(y_at(v)) + "\"/>\n";
  o += "</g>\n<g text-anchor=\"end\" fill=\"#333333\">\n";
  for (double v = 0; v <= ys.max + ys.step / 2; v += ys.step)
    o += "<text x=\"" + num(a.left - 6) + "\" y=\"" + num(y_at(v) + 4) + "\">" + tick_text(v) +
         "</text>\n";
  o += "</g>\n";
  if (!chart.y_label.empty())
    o += "<text x=\"14\" y=\"" + num(a.top + a.height / 2) +
         "\" text-anchor=\"middle\" fill=\"#333333\" transform=\"rotate(-90 14 " +
         num(a.top + a.height / 2) + ")\">" + xml_escape(chart.y_label) + "</text>\n";

  // X labels: at most one per ~90 pixels, always the first and last.
  if (n > 0) {
    const std::size_t max_labels = std::max<std::size_t>(2, static_cast<std::size_t>(a.width / 90));
    const std::size_t every = n <= max_labels ? 1 : (n + max_labels - 2) / (max_labels - 1);
    o += "<g text-anchor=\"middle\" fill=\"#333333\" stroke=\"none\">\n";
    for (std::size_t i = 0; i < n; ++i) {
      const bool last = i == n - 1;
      if (i % every != 0 && !last) continue;
      if (last && n > 1 && i % every != 0 && (i % every) < every / 2) continue;  // too close
      o += "<line x1=\"" + num(x_at(i)) + "\" y1=\"" + num(a.top + a.height) + "\" x2=\"" +
           num(x_at(i)) + "\" y2=\"" + num(a.top + a.height + 4) + "\" stroke=\"#333333\"/>\n";
      o += "<text x=\"" + num(x_at(i)) + "\" y=\"" + num(a.top + a.height + 18) + "\">" +
           xml_escape(chart.x_labels[i]) + "</text>\n";
    }
    o += "</g>\n";
  }

  // Axes.
  o += "<g stroke=\"#333333\" stroke-width=\"1\" fill=\"none\">\n";
  o += "<polyline points=\"" + num(a.left) + "," + num(a.top) + " " + num(a.left) + "," +
       num(a.top + a.height) + " " + num(a.left + a.width) + "," + num(a.top + a.height) +
       "\"/>\n</g>\n";

  // Series.
  for (const auto& s : chart.series) {
    const std::size_t m = std::min(n, s.values.size());
    if (m == 0) continue;
    std::string pts;
    for (std::size_t i = 0; i < m; ++i) {
      const double v = std::isfinite(s.values[i]) ? std::max(0.0, s.values[i]) : 0;
      if (!pts.empty()) pts.push_back(' ');
      pts += num(x_at(i)) + "," + num(y_at(v));
    }
    o += "<polyline fill=\"none\" stroke=\"" + xml_escape(s.color) +
         "\" stroke-width=\"2\" stroke-linejoin=\"round\" points=\"" + pts + "\"/>\n";
    if (m == 1)  // a one-point polyline draws nothing
      o += "<circle cx=\"" + num(x_at(0)) + "\" cy=\"" + num(y_at(std::max(0.0, s.values[0]))) +
           "\" r=\"3\" fill=\"" + xml_escape(s.color) + "\"/>\n";
  }

  // Legend.
  const double lx = a.left + a.width + 16;
  double ly = a.top + 4;
  o += "<g fill=\"#333333\">\n";
  for (const auto& s : chart.series) {
    o += "<rect x=\"" + num(lx) + "\" y=\"" + num(ly) + "\" width=\"14\" height=\"4\" fill=\"" +
         xml_escape(s.color) + "\"/>\n";
    o += "<text x=\"" + num(lx + 20) + "\" y=\"" + num(ly + 6) + "\">" + xml_escape(s.name) +
         "</text>\n";
    ly += 18;
  }
  o += "</g>\n</svg>\n";
  return o;
}

}  // namespace qscan::tools
