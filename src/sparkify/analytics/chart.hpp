// Charts as inline SVG, drawn by hand: no script, no font or image from the network, the same
// bytes for the same data (coordinates printed with one decimal). Text inside is escaped.
//
// Colours come from CSS classes the page defines (bar, seg0..seg5, axis, grid, lbl, val,
// muted, dot, area), so one chart reads in light and dark colour schemes; the SVG scales to its
// container's width through its viewBox.
#pragma once

#include <span>
#include <string>

#include "sparkify/sql/named_queries.hpp"

namespace sparkify::analytics {

struct ChartDatum {
  std::string label;       // raw text: the renderer escapes and, where needed, shortens it
  double value = 0;        // what is drawn; negative values are drawn as 0
  std::string value_text;  // what is written ("1,234")
};

struct ChartOptions {
  sql::ChartType type = sql::ChartType::kBar;
  std::string title;       // names the chart for screen readers and tooltips
  std::string value_name;  // the unit in tooltips ("plays")
};

// One <svg> element. By type:
//   kBar            one horizontal bar per datum, in order;
//   kHourHistogram  24 bars for hours 0..23, placed by the datum's label ("0".."23");
//                   hours without a datum are drawn as 0;
//   kWeekdayBars    7 bars Sunday..Saturday, placed by label (an English day name or
//                   "0".."6", 0 = Sunday); missing days are 0;
//   kColumns        one vertical bar per datum, in order;
//   kLine           a line through the data in order, evenly spaced;
//   kSplitBar       one bar split into a segment per datum, with a legend of shares;
//   kFigures        each datum as a large figure (value_text) over its label.
// Data that do not fit their slot (an hour of 24) are left out, never drawn out of place.
std::string RenderChartSvg(const ChartOptions& options, std::span<const ChartDatum> data);

}  // namespace sparkify::analytics
