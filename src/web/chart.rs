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

/// A chart laid out for `templates/chart.svg.html`: every position computed here (one decimal,
/// as the SVG's numbers), every text and link left to the template, which escapes them as it
/// escapes the rest of the page.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartView {
    pub title: String,
    pub width: f64,
    pub height: f64,
    /// The gridlines at 0, 25, 50, 75 and 100 %.
    pub grid: Vec<GridLine>,
    /// The y axis from its top to the base line, and the base line from `left` to `right`.
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub base: String,
    pub ticks: Vec<Tick>,
    pub x_title: String,
    pub x_title_at: (String, String),
    pub y_title: String,
    pub y_title_y: String,
    pub lines: Vec<LineView>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GridLine {
    pub y: String,
    pub label_x: String,
    pub label_y: String,
    pub pct: u8,
}

/// A week's tick on the x axis and its label.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub x: String,
    pub down_to: String,
    pub label_y: String,
    pub label: String,
}

/// One series: its colour class (`s0`…, ` bold` for the team), its path and its points.
#[derive(Debug, Clone, PartialEq)]
pub struct LineView {
    pub class: String,
    pub path: String,
    pub points: Vec<Point>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub cx: String,
    pub cy: String,
    pub title: String,
    pub href: Option<String>,
}

/// A position as the SVG writes it.
fn at(v: f64) -> String {
    format!("{v:.1}")
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

/// The chart laid out (the legend is the caller's: it names the same `s0`… classes).
pub fn line_chart(chart: &LineChart) -> ChartView {
    let base = y_at(0.0);
    let n = chart.x_labels.len();
    ChartView {
        title: chart.title.clone(),
        width: WIDTH,
        height: HEIGHT,
        grid: [0u8, 25, 50, 75, 100]
            .into_iter()
            .map(|pct| {
                let y = y_at(f64::from(pct) / 100.0);
                GridLine {
                    y: at(y),
                    label_x: at(LEFT - 6.0),
                    label_y: at(y + 4.0),
                    pct,
                }
            })
            .collect(),
        left: LEFT,
        right: WIDTH - RIGHT,
        top: TOP,
        base: at(base),
        ticks: chart
            .x_labels
            .iter()
            .enumerate()
            .map(|(i, label)| Tick {
                x: at(x_at(i, n)),
                down_to: at(base + 4.0),
                label_y: at(base + 18.0),
                label: label.clone(),
            })
            .collect(),
        x_title: chart.x_title.clone(),
        x_title_at: (at(LEFT + (WIDTH - LEFT - RIGHT) / 2.0), at(HEIGHT - 10.0)),
        y_title: chart.y_title.clone(),
        y_title_y: at(TOP + (HEIGHT - TOP - BOTTOM) / 2.0),
        lines: chart
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| line(s, i % PALETTE, n))
            .collect(),
    }
}

fn line(s: &Series, colour: usize, n: usize) -> LineView {
    let mut path = String::new();
    let mut pen_down = false;
    let mut points = Vec::new();
    for (i, v) in s.values.iter().enumerate() {
        let Some(v) = v else {
            pen_down = false;
            continue;
        };
        let (x, y) = (x_at(i, n), y_at(*v));
        let _ = write!(path, "{}{x:.1} {y:.1} ", if pen_down { "L" } else { "M" });
        pen_down = true;
        points.push(Point {
            cx: at(x),
            cy: at(y),
            title: s.titles.get(i).cloned().unwrap_or_default(),
            href: s.links.get(i).cloned().flatten(),
        });
    }
    path.truncate(path.trim_end().len());
    LineView {
        class: format!("s{colour}{}", if s.bold { " bold" } else { "" }),
        path,
        points,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use askama::Template;

    /// The chart's template alone, as the Team pages include it.
    #[derive(Template)]
    #[template(source = "{% include \"chart.svg.html\" %}", ext = "html")]
    struct Only<'a> {
        chart: &'a ChartView,
    }

    fn svg_of(chart: &LineChart) -> String {
        let chart = line_chart(chart);
        Only { chart: &chart }.render().unwrap().trim().to_string()
    }

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
        let svg = svg_of(&chart(vec![
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
        let svg = svg_of(&chart(vec![series("A&B", vec![Some(0.5), None, None])]));
        // askama's escapes, as on the rest of the page
        assert!(svg.contains("<title>A&#38;B &#60;b&#62;</title>"), "{svg}");
        assert!(svg.contains("href=\"/team/list?a=1&#38;b=2\""), "{svg}");
        assert!(!svg.contains("<b>") && !svg.contains("A&B"));
    }
}
