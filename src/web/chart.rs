//! Line charts drawn on the server as inline SVG (no chart library, no script): a share from 0 to
//! 100 % per week, with axes, gridlines, labels, and a linked point with a tooltip per value.
//! Colours come from CSS classes (`s0`…`s5`), so the dark theme applies.

use std::fmt::Write;

/// One line of the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: String,
    /// One value per x label, a share from 0.0 to 1.0; None leaves a gap.
    pub values: Vec<Option<f64>>,
    /// The tooltip of each point.
    pub titles: Vec<String>,
    /// Where each point leads (the rows it counts).
    pub links: Vec<Option<String>>,
    /// Drawn thicker (the team).
    pub bold: bool,
}

/// A chart: labels along the x axis and the lines.
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    /// What the chart shows, for screen readers.
    pub title: String,
    pub x_labels: Vec<String>,
    pub x_title: String,
    pub y_title: String,
    pub series: Vec<Series>,
}

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 300.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 56.0;
/// How many colour classes the stylesheet defines.
pub const PALETTE: usize = 6;

/// Escapes text for SVG content and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn x_at(i: usize, n: usize) -> f64 {
    let plot = WIDTH - LEFT - RIGHT;
    if n <= 1 {
        return LEFT + plot / 2.0;
    }
    LEFT + plot * i as f64 / (n - 1) as f64
}

fn y_at(share: f64) -> f64 {
    let plot = HEIGHT - TOP - BOTTOM;
    TOP + plot * (1.0 - share.clamp(0.0, 1.0))
}

/// The SVG of a chart (the legend is the caller's: it names the same `s0`… classes).
pub fn line_chart(chart: &LineChart) -> String {
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"{}\">",
        escape(&chart.title)
    );
    let _ = write!(svg, "<title>{}</title>", escape(&chart.title));
    axes(&mut svg, chart);
    for (i, s) in chart.series.iter().enumerate() {
        line(&mut svg, s, i % PALETTE, chart.x_labels.len());
    }
    svg.push_str("</svg>");
    svg
}

fn axes(svg: &mut String, chart: &LineChart) {
    let (x0, x1) = (LEFT, WIDTH - RIGHT);
    for pct in [0, 25, 50, 75, 100] {
        let y = y_at(f64::from(pct) / 100.0);
        let _ = write!(
            svg,
            "<line class=\"grid\" x1=\"{x0}\" y1=\"{y:.1}\" x2=\"{x1}\" y2=\"{y:.1}\"/>\
             <text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{pct}%</text>",
            x0 - 6.0,
            y + 4.0
        );
    }
    let base = y_at(0.0);
    let _ = write!(
        svg,
        "<line class=\"axis\" x1=\"{x0}\" y1=\"{TOP}\" x2=\"{x0}\" y2=\"{base:.1}\"/>\
         <line class=\"axis\" x1=\"{x0}\" y1=\"{base:.1}\" x2=\"{x1}\" y2=\"{base:.1}\"/>"
    );
    let n = chart.x_labels.len();
    for (i, label) in chart.x_labels.iter().enumerate() {
        let x = x_at(i, n);
        let _ = write!(
            svg,
            "<line class=\"axis\" x1=\"{x:.1}\" y1=\"{base:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\"/>\
             <text class=\"tick\" x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            base + 4.0,
            base + 18.0,
            escape(label)
        );
    }
    let _ = write!(
        svg,
        "<text class=\"axis-title\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\
         <text class=\"axis-title\" transform=\"translate(14 {:.1}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
        LEFT + (WIDTH - LEFT - RIGHT) / 2.0,
        HEIGHT - 10.0,
        escape(&chart.x_title),
        TOP + (HEIGHT - TOP - BOTTOM) / 2.0,
        escape(&chart.y_title)
    );
}

fn line(svg: &mut String, s: &Series, colour: usize, n: usize) {
    let mut d = String::new();
    let mut pen_down = false;
    for (i, v) in s.values.iter().enumerate() {
        match v {
            Some(v) => {
                let _ = write!(
                    d,
                    "{}{:.1} {:.1} ",
                    if pen_down { "L" } else { "M" },
                    x_at(i, n),
                    y_at(*v)
                );
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    let weight = if s.bold { " bold" } else { "" };
    let _ = write!(
        svg,
        "<g class=\"series s{colour}{weight}\"><path d=\"{}\"/>",
        d.trim_end()
    );
    for (i, v) in s.values.iter().enumerate() {
        let Some(v) = v else { continue };
        let title = s.titles.get(i).map(|t| escape(t)).unwrap_or_default();
        let dot = format!(
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\"><title>{title}</title></circle>",
            x_at(i, n),
            y_at(*v)
        );
        match s.links.get(i).cloned().flatten() {
            Some(href) => {
                let _ = write!(svg, "<a href=\"{}\">{dot}</a>", escape(&href));
            }
            None => svg.push_str(&dot),
        }
    }
    svg.push_str("</g>");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(series: Vec<Series>) -> LineChart {
        LineChart {
            title: "Second-call rate by week".into(),
            x_labels: vec!["2 Nov".into(), "9 Nov".into(), "16 Nov".into()],
            x_title: "Week of the first attempt".into(),
            y_title: "Second-call rate".into(),
            series,
        }
    }

    fn series(label: &str, values: Vec<Option<f64>>) -> Series {
        Series {
            label: label.into(),
            titles: values.iter().map(|_| format!("{label} <b>")).collect(),
            links: values
                .iter()
                .map(|_| Some("/team/list?a=1&b=2".into()))
                .collect(),
            values,
            bold: false,
        }
    }

    #[test]
    fn a_chart_has_axes_labels_and_one_path_per_series() {
        let svg = line_chart(&chart(vec![
            series("Team", vec![Some(0.5), Some(1.0), Some(0.0)]),
            series("Rob", vec![Some(0.25), None, Some(0.75)]),
        ]));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        for text in [
            ">0%<",
            ">50%<",
            ">100%<",
            ">9 Nov<",
            "Week of the first attempt",
        ] {
            assert!(svg.contains(text), "{text}");
        }
        // Team: left edge (x 56) at 50 %, middle (x 56 + 648 / 2) at 100 %, right edge (x 704) at
        // 0 %, the plot running from y 16 (100 %) to y 244 (0 %).
        assert!(svg.contains("d=\"M56.0 130.0 L380.0 16.0 L704.0 244.0\""));
        // Rob's missing middle week breaks the line into two pieces.
        assert!(svg.contains("d=\"M56.0 187.0 M704.0 73.0\""));
        assert_eq!(svg.matches("<circle").count(), 5);
        assert!(svg.contains("class=\"series s1\""));
    }

    #[test]
    fn text_and_links_are_escaped() {
        let svg = line_chart(&chart(vec![series("A&B", vec![Some(0.5), None, None])]));
        assert!(svg.contains("<title>A&amp;B &lt;b&gt;</title>"));
        assert!(svg.contains("href=\"/team/list?a=1&amp;b=2\""));
        assert!(!svg.contains("<b>"));
    }
}
