//! A small SVG writer for the report's charts: horizontal bar charts (stacked or grouped)
//! and histograms with thresholds drawn on them. Every chart is one `<svg class="chart">`
//! element with a `<title>`, its colours in attributes (so the same markup works inline in
//! the report and as a standalone file under `OUT/figures/`), and a `data-points` attribute
//! counting what it shows. Every text goes through [`esc`].

use std::fmt::Write;

use pipeline::Bound;

use crate::hist::{short, Bins};

pub const KEPT: &str = "#2a9d8f";
pub const DROPPED: &str = "#e76f51";
pub const OTHER: &str = "#b8b8b8";
pub const INK: &str = "#264653";
pub const ACCENT: &str = "#e9c46a";

/// Text for SVG/HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c if is_invisible_control(c) => {
                let _ = write!(o, "[U+{:04X}]", c as u32);
            }
            c => o.push(c),
        }
    }
    o
}

/// Characters that reorder or hide text (bidi controls) or are not text at all (C0/C1
/// controls other than tab and newline): shown as `[U+202E]` instead.
pub fn is_invisible_control(c: char) -> bool {
    matches!(c,
        '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        | '\u{0}'..='\u{8}' | '\u{B}'..='\u{1F}' | '\u{7F}'..='\u{9F}')
}

/// One series of a chart: its name (legend) and colour.
#[derive(Debug, Clone, Copy)]
pub struct Series<'a> {
    pub name: &'a str,
    pub color: &'a str,
}

/// How bars of several series share a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Stacked,
    Grouped,
}

/// A vertical line on a histogram at `value`, the dropped side shaded.
#[derive(Debug, Clone)]
pub struct Mark {
    pub value: f64,
    pub bound: Bound,
    pub label: String,
}

const FONT: &str = "font-family=\"sans-serif\"";

fn open(out: &mut String, w: f64, h: f64, title: &str, points: u64) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"{w:.0}\" height=\"{h:.0}\" \
         viewBox=\"0 0 {w:.0} {h:.0}\" role=\"img\" data-points=\"{points}\" {FONT} font-size=\"11\">\
         <title>{}</title><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>",
        esc(title)
    );
    let _ = write!(
        out,
        "<text x=\"6\" y=\"14\" font-size=\"12\" font-weight=\"600\" fill=\"{INK}\">{}</text>",
        esc(title)
    );
}

fn legend(out: &mut String, series: &[Series], x0: f64, y: f64) {
    let mut x = x0;
    for s in series {
        let _ = write!(
            out,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"10\" height=\"10\" fill=\"{}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" fill=\"#333\">{}</text>",
            y - 9.0,
            s.color,
            x + 13.0,
            y,
            esc(s.name)
        );
        x += 22.0 + 6.2 * s.name.chars().count() as f64;
    }
}

/// Horizontal bars: one row per `(label, values)`, one value per series, with the row's
/// total (stacked) or each value (grouped) written at the bar's end by `fmt`.
pub fn hbars(
    title: &str,
    series: &[Series],
    rows: &[(String, Vec<f64>)],
    layout: Layout,
    fmt: &dyn Fn(f64) -> String,
) -> String {
    let label_w = rows
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, 34) as f64
        * 6.4
        + 10.0;
    let (bar_w, value_w) = (380.0, 70.0);
    let per = match layout {
        Layout::Stacked => 1,
        Layout::Grouped => series.len().max(1),
    };
    let row_h = 6.0 + 12.0 * per as f64;
    let top = if series.len() > 1 { 40.0 } else { 24.0 };
    let w = label_w + bar_w + value_w;
    let h = top + row_h * rows.len() as f64 + 8.0;
    let max = rows
        .iter()
        .map(|(_, v)| match layout {
            Layout::Stacked => v.iter().sum::<f64>(),
            Layout::Grouped => v.iter().copied().fold(0.0, f64::max),
        })
        .fold(0.0, f64::max);
    let points = rows
        .iter()
        .filter(|(_, v)| v.iter().any(|&x| x > 0.0))
        .count();
    let mut out = String::new();
    open(&mut out, w, h, title, points as u64);
    if series.len() > 1 {
        legend(&mut out, series, 6.0, 32.0);
    }
    let scale = if max > 0.0 { bar_w / max } else { 0.0 };
    for (r, (label, values)) in rows.iter().enumerate() {
        let y0 = top + r as f64 * row_h;
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#333\">{}</text>",
            label_w - 6.0,
            y0 + row_h / 2.0 + 3.5,
            esc(&cut_label(label, 34))
        );
        let mut x = label_w;
        for (i, (&v, s)) in values.iter().zip(series).enumerate() {
            let bw = (v * scale).max(if v > 0.0 { 1.0 } else { 0.0 });
            let (bx, by) = match layout {
                Layout::Stacked => (x, y0 + 3.0),
                Layout::Grouped => (label_w, y0 + 3.0 + 12.0 * i as f64),
            };
            if bw > 0.0 {
                let _ = write!(
                    out,
                    "<rect class=\"bar\" x=\"{bx:.1}\" y=\"{by:.1}\" width=\"{bw:.1}\" height=\"11\" fill=\"{}\"><title>{}: {}</title></rect>",
                    s.color,
                    esc(s.name),
                    esc(&fmt(v))
                );
            }
            if layout == Layout::Grouped {
                let _ = write!(
                    out,
                    "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#555\" font-size=\"10\">{}</text>",
                    bx + bw + 4.0,
                    by + 9.0,
                    esc(&fmt(v))
                );
            }
            x += bw;
        }
        if layout == Layout::Stacked {
            let total: f64 = values.iter().sum();
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#555\" font-size=\"10\">{}</text>",
                x + 4.0,
                y0 + row_h / 2.0 + 3.5,
                esc(&fmt(total))
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// A coordinate with at most one decimal, without a trailing `.0`.
fn n1(x: f64) -> String {
    let s = format!("{x:.1}");
    match s.strip_suffix(".0") {
        Some(whole) if whole != "-0" => whole.to_string(),
        Some(_) => "0".to_string(),
        None => s,
    }
}

fn cut_label(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}

/// A histogram: stacked series over `bins` (counts per bin, one slice per series), the
/// empty bins at either end left out (unless a mark is there), marks drawn as lines.
pub fn histogram(
    title: &str,
    bins: Bins,
    series: &[(Series, &[u64])],
    marks: &[Mark],
    width: f64,
) -> String {
    let n = bins.len();
    let column = |i: usize| -> u64 {
        series
            .iter()
            .map(|(_, c)| c.get(i).copied().unwrap_or(0))
            .sum()
    };
    let non_empty: Vec<usize> = (0..n).filter(|&i| column(i) > 0).collect();
    let (mut first, mut last) = match bins {
        // Ratios: always the whole [lo, hi) range, the catch-all bins only when used.
        Bins::Linear { .. } => (1, n - 2),
        Bins::Log10 { .. } => (
            non_empty.first().copied().unwrap_or(1),
            non_empty.last().copied().unwrap_or(1),
        ),
    };
    if let (Some(&a), Some(&b)) = (non_empty.first(), non_empty.last()) {
        first = first.min(a);
        last = last.max(b);
    }
    for m in marks {
        let p = bins.position(m.value).floor() as usize;
        first = first.min(p);
        last = last.max(p.min(n - 1));
    }
    if let Bins::Log10 { .. } = bins {
        // At least a decade's worth of bins, so one-bin charts still read as a distribution.
        while last - first < 5 && last + 1 < n {
            last += 1;
        }
    }
    let cols = last - first + 1;
    let total: u64 = (0..n).map(column).sum();
    let (left, right, top, bottom) = (42.0, 10.0, if series.len() > 1 { 36.0 } else { 24.0 }, 30.0);
    let height = 170.0;
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let bw = plot_w / cols as f64;
    let max = (first..=last).map(column).max().unwrap_or(0).max(1) as f64;
    let mut out = String::new();
    open(&mut out, width, height, title, total);
    if series.len() > 1 {
        legend(
            &mut out,
            &series.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
            6.0,
            30.0,
        );
    }
    // Shaded dropped sides first, under the bars.
    for m in marks {
        let x = left + (bins.position(m.value) - first as f64) * bw;
        let x = x.clamp(left, left + plot_w);
        let (sx, sw) = match m.bound {
            Bound::Min => (left, x - left),
            Bound::Max => (x, left + plot_w - x),
        };
        let _ = write!(
            out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{DROPPED}\" fill-opacity=\"0.08\"/>",
            n1(sx),
            n1(top),
            n1(sw),
            n1(plot_h)
        );
    }
    let mut base = vec![0u64; cols];
    for (s, counts) in series {
        let mut d = String::new();
        for (c, i) in (first..=last).enumerate() {
            let v = counts.get(i).copied().unwrap_or(0);
            if v == 0 {
                continue;
            }
            let y1 = top + plot_h - base[c] as f64 / max * plot_h;
            let h = v as f64 / max * plot_h;
            let _ = write!(
                d,
                "M{},{}h{}v{}h{}z",
                n1(left + c as f64 * bw + 0.5),
                n1(y1 - h),
                n1((bw - 1.0).max(0.5)),
                n1(h),
                n1(-(bw - 1.0).max(0.5))
            );
            base[c] += v;
        }
        if !d.is_empty() {
            let _ = write!(
                out,
                "<path class=\"bar\" d=\"{d}\" fill=\"{}\"><title>{}</title></path>",
                s.color,
                esc(s.name)
            );
        }
    }
    // Axes: a base line, the y maximum, x labels at a few bin edges.
    let ticks = x_ticks(bins, first, last);
    let mut axis = format!("M{},{}H{}", n1(left), n1(top + plot_h), n1(left + plot_w));
    for (c, _) in &ticks {
        let _ = write!(
            axis,
            "M{},{}v4",
            n1(left + *c as f64 * bw),
            n1(top + plot_h)
        );
    }
    let _ = write!(
        out,
        "<path d=\"{axis}\" stroke=\"#999\"/><g fill=\"#555\" font-size=\"10\" text-anchor=\"end\">\
         <text x=\"{}\" y=\"{}\">{}</text><text x=\"{}\" y=\"{}\">0</text></g><g fill=\"#555\" font-size=\"10\" text-anchor=\"middle\">",
        n1(left - 4.0),
        n1(top + 8.0),
        short(max),
        n1(left - 4.0),
        n1(top + plot_h)
    );
    for (c, i) in ticks {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\">{}</text>",
            n1(left + c as f64 * bw),
            n1(top + plot_h + 14.0),
            esc(&tick_label(bins, i))
        );
    }
    out.push_str("</g>");
    for m in marks {
        let x = (left + (bins.position(m.value) - first as f64) * bw).clamp(left, left + plot_w);
        let _ = write!(
            out,
            "<path class=\"threshold\" d=\"M{},{}V{}\" stroke=\"{DROPPED}\" stroke-width=\"1.5\" stroke-dasharray=\"4 2\"/>\
             <text x=\"{}\" y=\"{}\" fill=\"{DROPPED}\" font-size=\"10\" text-anchor=\"{}\">{}</text>",
            n1(x),
            n1(top - 2.0),
            n1(top + plot_h),
            n1(x + if m.bound == Bound::Min { 3.0 } else { -3.0 }),
            n1(top + plot_h + 26.0),
            if m.bound == Bound::Min { "start" } else { "end" },
            esc(&m.label)
        );
    }
    out.push_str("</svg>");
    out
}

/// Bin edges worth a label: the ends and a few in between (decades on a log scale).
fn x_ticks(bins: Bins, first: usize, last: usize) -> Vec<(usize, usize)> {
    let cols = last - first + 1;
    let mut v: Vec<usize> = match bins {
        Bins::Log10 { per_decade, .. } => (first..=last + 1)
            .filter(|&i| i >= 1 && (i - 1) % per_decade as usize == 0)
            .collect(),
        Bins::Linear { n, .. } => {
            let step = (n as usize / 4).max(1);
            (first..=last + 1)
                .filter(|&i| i >= 1 && (i - 1) % step == 0)
                .collect()
        }
    };
    if v.is_empty() {
        v.push(first);
    }
    v.into_iter()
        .filter(|&i| i >= first && i - first <= cols)
        .map(|i| (i - first, i))
        .collect()
}

fn tick_label(bins: Bins, i: usize) -> String {
    if i == 0 {
        return match bins {
            Bins::Linear { .. } => "<".to_string(),
            Bins::Log10 { .. } => "0".to_string(),
        };
    }
    short(bins.lower(i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_shows_bidi_controls() {
        let s = esc("<script>\"onerror=x</textarea>\u{202E}abc\u{200F}'");
        assert_eq!(
            s,
            "&lt;script&gt;&quot;onerror=x&lt;/textarea&gt;[U+202E]abc[U+200F]&#39;"
        );
        assert_eq!(esc("ภาษาไทย\nx\ty"), "ภาษาไทย\nx\ty");
    }

    #[test]
    fn histogram_draws_bars_and_marks() {
        let mut kept = vec![0u64; Bins::UNIT.len()];
        kept[30] = 5;
        kept[41] = 2;
        let mut dropped = vec![0u64; Bins::UNIT.len()];
        dropped[3] = 4;
        let svg = histogram(
            "tha <lang_score>",
            Bins::UNIT,
            &[
                (
                    Series {
                        name: "kept",
                        color: KEPT,
                    },
                    &kept,
                ),
                (
                    Series {
                        name: "dropped",
                        color: DROPPED,
                    },
                    &dropped,
                ),
            ],
            &[Mark {
                value: 0.95,
                bound: Bound::Min,
                label: "min 0.95".into(),
            }],
            300.0,
        );
        assert!(svg.starts_with("<svg xmlns="));
        assert!(svg.contains("data-points=\"11\""), "{svg}");
        assert_eq!(svg.matches("class=\"bar\"").count(), 2);
        assert!(svg.contains("class=\"threshold\""));
        assert!(svg.contains("tha &lt;lang_score&gt;"));
        assert!(svg.ends_with("</svg>"));
    }

    #[test]
    fn hbars_writes_a_rect_per_value() {
        let rows = vec![
            ("extract".to_string(), vec![10.0, 2.0]),
            ("langid".to_string(), vec![6.0, 4.0]),
        ];
        let s = [
            Series {
                name: "kept",
                color: KEPT,
            },
            Series {
                name: "dropped",
                color: DROPPED,
            },
        ];
        let svg = hbars("Documents", &s, &rows, Layout::Stacked, &|v| format!("{v}"));
        assert_eq!(svg.matches("<rect class=\"bar\"").count(), 4);
        assert!(svg.contains(">12<") && svg.contains(">10<"), "{svg}");
        let g = hbars("Shares", &s, &rows, Layout::Grouped, &|v| format!("{v}"));
        assert_eq!(g.matches("<rect class=\"bar\"").count(), 4);
    }
}
