#include "sparkify/analytics/chart.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

#include "sparkify/analytics/html.hpp"
#include "sparkify/common/log.hpp"

namespace sparkify::analytics {
namespace {

constexpr double kWidth = 720;

// Coordinates with one decimal, "12" rather than "12.0": short and byte-stable.
std::string Num(double v) {
  std::string s = fmt::format("{:.1f}", v);
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  if (s == "-0") s = "0";
  return s;
}

double Drawn(double v) { return std::isfinite(v) && v > 0 ? v : 0; }

// The value axis: a step of 1, 2 or 5 times a power of ten (never below 1: charts count
// things) and a top that is a whole number of steps, with at most 5 steps.
struct Scale {
  double step = 1;
  double top = 1;
};

Scale NiceScale(double max_value) {
  if (!(max_value > 0) || !std::isfinite(max_value)) return {};
  // The smallest 1, 2 or 5 times a power of ten (at least 1) that covers max_value in 5 steps.
  const double magnitude = std::max(1.0, std::pow(10.0, std::floor(std::log10(max_value / 5))));
  double step = magnitude * 10;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * magnitude * 5 >= max_value) {
      step = m * magnitude;
      break;
    }
  }
  return {step, std::ceil(max_value / step) * step};
}

std::string TickText(double v) {
  return log::WithThousands(static_cast<uint64_t>(std::llround(v)));
}

// Drawn at its natural size (width and height attributes) and scaled down, never up, by the
// page's CSS (max-width: 100%; height: auto).
std::string Open(const ChartOptions& options, double height, double width = kWidth) {
  return fmt::format(
      "<svg class=\"chart\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" "
      "role=\"img\" aria-label=\"{}\">\n<title>{}</title>\n",
      Num(width), Num(height), Num(width), Num(height), EscapeHtml(options.title),
      EscapeHtml(options.title));
}

std::string Tooltip(const ChartOptions& options, std::string_view label,
                    std::string_view value_text) {
  std::string text(label);
  text += ": ";
  text += value_text;
  if (!options.value_name.empty()) {
    text += ' ';
    text += options.value_name;
  }
  return "<title>" + EscapeHtml(text) + "</title>";
}

std::string Empty(const ChartOptions& options) {
  return Open(options, 40) +
         "<text class=\"lbl muted\" x=\"8\" y=\"24\">No rows to draw.</text>\n</svg>\n";
}

// --- horizontal bars --------------------------------------------------------------------------

std::string HorizontalBars(const ChartOptions& options, std::span<const ChartDatum> data) {
  if (data.empty()) return Empty(options);
  // Narrower than the other charts, so labels stay legible when a phone scales it down.
  constexpr double kChartWidth = 600, kLabelRight = 222, kBarLeft = 230, kBarMax = 300, kRow = 24,
                   kBar = 16, kTop = 6;
  constexpr size_t kLabelChars = 32;
  double max_value = 0;
  for (const ChartDatum& d : data) max_value = std::max(max_value, Drawn(d.value));
  std::string svg = Open(options, kTop * 2 + kRow * static_cast<double>(data.size()), kChartWidth);
  for (size_t i = 0; i < data.size(); ++i) {
    const ChartDatum& d = data[i];
    const double y = kTop + kRow * static_cast<double>(i);
    double w = max_value > 0 ? Drawn(d.value) / max_value * kBarMax : 0;
    if (Drawn(d.value) > 0) w = std::max(w, 1.0);
    svg += fmt::format(
        "<g>{}<text class=\"lbl\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>"
        "<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>"
        "<text class=\"val\" x=\"{}\" y=\"{}\">{}</text></g>\n",
        Tooltip(options, d.label, d.value_text), Num(kLabelRight), Num(y + kBar / 2 + 4),
        EscapeHtml(Shorten(d.label, kLabelChars)), Num(kBarLeft), Num(y), Num(w), Num(kBar),
        Num(kBarLeft + w + 6), Num(y + kBar / 2 + 4), EscapeHtml(d.value_text));
  }
  return svg + "</svg>\n";
}

// --- vertical bars: hours, weekdays, columns ---------------------------------------------------

struct Slot {
  std::string axis_label;  // under the bar
  std::string label;       // in the tooltip
  double value = 0;
  std::string value_text = "0";
};

constexpr double kPlotLeft = 56, kPlotRight = 712, kPlotTop = 22, kPlotBottom = 220;
constexpr double kPlotHeight = kPlotBottom - kPlotTop;

std::string ValueAxis(const Scale& scale) {
  std::string svg;
  const int steps = static_cast<int>(std::lround(scale.top / scale.step));
  for (int i = 0; i <= steps; ++i) {
    const double t = scale.step * i;
    const double y = kPlotBottom - t / scale.top * kPlotHeight;
    svg += fmt::format(
        "<line class=\"grid\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>"
        "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n",
        Num(kPlotLeft), Num(y), Num(kPlotRight), Num(y), Num(kPlotLeft - 6), Num(y + 4),
        TickText(t));
  }
  svg += fmt::format("<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n",
                     Num(kPlotLeft), Num(kPlotBottom), Num(kPlotRight), Num(kPlotBottom));
  return svg;
}

std::string VerticalBars(const ChartOptions& options, const std::vector<Slot>& slots,
                         bool values_on_bars) {
  if (slots.empty()) return Empty(options);
  double max_value = 0;
  for (const Slot& s : slots) max_value = std::max(max_value, Drawn(s.value));
  const Scale scale = NiceScale(max_value);
  const double n = static_cast<double>(slots.size());
  const double slot_width = (kPlotRight - kPlotLeft) / n;
  const double bar_width = slot_width * 0.72;
  const size_t label_every = slots.size() <= 24 ? 1 : (slots.size() + 11) / 12;
  std::string svg = Open(options, 248) + ValueAxis(scale);
  for (size_t i = 0; i < slots.size(); ++i) {
    const Slot& s = slots[i];
    const double h = Drawn(s.value) / scale.top * kPlotHeight;
    const double x = kPlotLeft + slot_width * static_cast<double>(i) + (slot_width - bar_width) / 2;
    const double center = x + bar_width / 2;
    svg += fmt::format("<g>{}<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
                       Tooltip(options, s.label, s.value_text), Num(x), Num(kPlotBottom - h),
                       Num(bar_width), Num(h));
    if (values_on_bars) {
      svg += fmt::format("<text class=\"val\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                         Num(center), Num(kPlotBottom - h - 4), EscapeHtml(s.value_text));
    }
    if (i % label_every == 0) {
      svg += fmt::format("<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                         Num(center), Num(kPlotBottom + 16), EscapeHtml(Shorten(s.axis_label, 10)));
    }
    svg += "</g>\n";
  }
  return svg + "</svg>\n";
}

std::optional<int> ParseSmallInt(std::string_view s) {
  int v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::vector<Slot> HourSlots(std::span<const ChartDatum> data) {
  std::vector<Slot> slots(24);
  for (int h = 0; h < 24; ++h) {
    slots[static_cast<size_t>(h)].axis_label = fmt::format("{:02}", h);
    slots[static_cast<size_t>(h)].label = fmt::format("{:02}:00-{:02}:59 UTC", h, h);
  }
  for (const ChartDatum& d : data) {
    const std::optional<int> hour = ParseSmallInt(d.label);
    if (!hour || *hour < 0 || *hour > 23) continue;
    Slot& s = slots[static_cast<size_t>(*hour)];
    s.value = d.value;
    s.value_text = d.value_text;
  }
  return slots;
}

constexpr std::array<std::string_view, 7> kDayNames{"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                    "Thursday", "Friday", "Saturday"};

std::vector<Slot> WeekdaySlots(std::span<const ChartDatum> data) {
  std::vector<Slot> slots(7);
  for (size_t i = 0; i < 7; ++i) {
    slots[i].axis_label = std::string(kDayNames[i].substr(0, 3));
    slots[i].label = std::string(kDayNames[i]);
  }
  for (const ChartDatum& d : data) {
    std::optional<int> day = ParseSmallInt(d.label);
    for (size_t i = 0; !day && i < 7; ++i) {
      if (d.label == kDayNames[i]) day = static_cast<int>(i);
    }
    if (!day || *day < 0 || *day > 6) continue;
    Slot& s = slots[static_cast<size_t>(*day)];
    s.value = d.value;
    s.value_text = d.value_text;
  }
  return slots;
}

std::vector<Slot> OrderedSlots(std::span<const ChartDatum> data) {
  std::vector<Slot> slots;
  for (const ChartDatum& d : data) slots.push_back({d.label, d.label, d.value, d.value_text});
  return slots;
}

// --- line ----------------------------------------------------------------------------------------

std::string Line(const ChartOptions& options, std::span<const ChartDatum> data) {
  if (data.empty()) return Empty(options);
  double max_value = 0;
  for (const ChartDatum& d : data) max_value = std::max(max_value, Drawn(d.value));
  const Scale scale = NiceScale(max_value);
  const size_t n = data.size();
  auto x_at = [&](size_t i) {
    if (n == 1) return (kPlotLeft + kPlotRight) / 2;
    return kPlotLeft + 8 +
           (kPlotRight - kPlotLeft - 16) * static_cast<double>(i) / static_cast<double>(n - 1);
  };
  auto y_at = [&](double v) { return kPlotBottom - Drawn(v) / scale.top * kPlotHeight; };
  std::string svg = Open(options, 248) + ValueAxis(scale);
  std::string points;
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) points += ' ';
    points += Num(x_at(i)) + "," + Num(y_at(data[i].value));
  }
  svg += fmt::format("<polygon class=\"area\" points=\"{},{} {} {},{}\"/>\n", Num(x_at(0)),
                     Num(kPlotBottom), points, Num(x_at(n - 1)), Num(kPlotBottom));
  svg += fmt::format("<polyline class=\"line\" points=\"{}\"/>\n", points);
  // Axis labels: the first, the last, and about six between; one that would run into the
  // last (which is drawn right-aligned) is left out.
  const size_t step = n <= 7 ? 1 : (n - 1 + 5) / 6;
  constexpr double kLabelWidth = 80;  // a date at 11px, with room to breathe
  for (size_t i = 0; i < n; ++i) {
    const ChartDatum& d = data[i];
    svg += fmt::format("<g>{}<circle class=\"dot\" cx=\"{}\" cy=\"{}\" r=\"2.5\"/>",
                       Tooltip(options, d.label, d.value_text), Num(x_at(i)), Num(y_at(d.value)));
    const bool last = i + 1 == n;
    const bool labelled = last || (i % step == 0 && x_at(n - 1) - x_at(i) >= 1.5 * kLabelWidth);
    if (labelled) {
      const char* anchor = n == 1 ? "middle" : i == 0 ? "start" : last ? "end" : "middle";
      svg += fmt::format("<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"{}\">{}</text>",
                         Num(x_at(i)), Num(kPlotBottom + 16), anchor,
                         EscapeHtml(Shorten(d.label, 12)));
    }
    svg += "</g>\n";
  }
  return svg + "</svg>\n";
}

// --- split bar -----------------------------------------------------------------------------------

std::string SplitBar(const ChartOptions& options, std::span<const ChartDatum> data) {
  if (data.empty()) return Empty(options);
  constexpr double kLeft = 8, kBarWidth = 704, kBarHeight = 32, kLegendTop = 58, kLegendRow = 22;
  constexpr size_t kColours = 6;
  double total = 0;
  for (const ChartDatum& d : data) total += Drawn(d.value);
  std::string svg = Open(options, kLegendTop + kLegendRow * static_cast<double>(data.size()));
  svg += fmt::format("<rect class=\"track\" x=\"{}\" y=\"8\" width=\"{}\" height=\"{}\"/>\n",
                     Num(kLeft), Num(kBarWidth), Num(kBarHeight));
  double x = kLeft;
  for (size_t i = 0; i < data.size(); ++i) {
    const ChartDatum& d = data[i];
    const double share = total > 0 ? Drawn(d.value) / total : 0;
    const double w = share * kBarWidth;
    const std::string percent = FormatPercent(share);
    svg += fmt::format("<g>{}<rect class=\"seg{}\" x=\"{}\" y=\"8\" width=\"{}\" height=\"{}\"/>",
                       Tooltip(options, d.label, d.value_text + " (" + percent + ")"), i % kColours,
                       Num(x), Num(w), Num(kBarHeight));
    if (w >= 90) {
      svg += fmt::format("<text class=\"inbar\" x=\"{}\" y=\"29\">{}</text>", Num(x + 8),
                         EscapeHtml(Shorten(d.label, 12) + " " + percent));
    }
    svg += "</g>\n";
    const double ly = kLegendTop + kLegendRow * static_cast<double>(i);
    svg += fmt::format(
        "<rect class=\"seg{}\" x=\"{}\" y=\"{}\" width=\"12\" height=\"12\"/>"
        "<text class=\"lbl\" x=\"{}\" y=\"{}\">{}: {} ({})</text>\n",
        i % kColours, Num(kLeft), Num(ly - 11), Num(kLeft + 20), Num(ly),
        EscapeHtml(Shorten(d.label, 40)), EscapeHtml(d.value_text), percent);
    x += w;
  }
  return svg + "</svg>\n";
}

// --- figures -------------------------------------------------------------------------------------

std::string Figures(const ChartOptions& options, std::span<const ChartDatum> data) {
  if (data.empty()) return Empty(options);
  const double cell = (kWidth - 16) / static_cast<double>(data.size());
  std::string svg = Open(options, 84);
  for (size_t i = 0; i < data.size(); ++i) {
    const double center = 8 + cell * (static_cast<double>(i) + 0.5);
    svg += fmt::format(
        "<g><text class=\"fig\" x=\"{}\" y=\"42\" text-anchor=\"middle\">{}</text>"
        "<text class=\"lbl muted\" x=\"{}\" y=\"68\" text-anchor=\"middle\">{}</text></g>\n",
        Num(center), EscapeHtml(data[i].value_text), Num(center),
        EscapeHtml(Shorten(data[i].label, 24)));
  }
  return svg + "</svg>\n";
}

}  // namespace

std::string RenderChartSvg(const ChartOptions& options, std::span<const ChartDatum> data) {
  switch (options.type) {
    case sql::ChartType::kBar:
      return HorizontalBars(options, data);
    case sql::ChartType::kHourHistogram:
      return VerticalBars(options, HourSlots(data), /*values_on_bars=*/false);
    case sql::ChartType::kWeekdayBars:
      return VerticalBars(options, WeekdaySlots(data), /*values_on_bars=*/true);
    case sql::ChartType::kColumns:
      return VerticalBars(options, OrderedSlots(data), /*values_on_bars=*/data.size() <= 12);
    case sql::ChartType::kLine:
      return Line(options, data);
    case sql::ChartType::kSplitBar:
      return SplitBar(options, data);
    case sql::ChartType::kFigures:
      return Figures(options, data);
  }
  return Empty(options);
}

}  // namespace sparkify::analytics
