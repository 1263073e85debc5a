//! README badges: an SVG in the familiar flat style, or a shields.io
//! endpoint document. Green only for a package version this server verified.

use npm_provenance_core::{BuildPlatform, Report, TrustLevel, Verdict};
use serde::Serialize;

/// What a badge says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadgeState {
    pub message: String,
    /// shields.io colour name and its hex value.
    pub color: (&'static str, &'static str),
    pub is_error: bool,
    /// The report's `trust` and `downgrade`, carried into the shields JSON.
    pub trust: Option<TrustLevel>,
    pub downgrade: Option<String>,
    /// Why the version was not compared with its history (the package
    /// document could not be read): a badge that cannot say "downgrade"
    /// says so instead of looking final.
    pub history_note: Option<String>,
}

const GREEN: (&str, &str) = ("brightgreen", "#4c1");
const RED: (&str, &str) = ("red", "#e05d44");
const GREY: (&str, &str) = ("lightgrey", "#9f9f9f");
const ORANGE: (&str, &str) = ("orange", "#fe7d37");
const YELLOW: (&str, &str) = ("yellow", "#dfb317");
const YELLOWGREEN: (&str, &str) = ("yellowgreen", "#a4a61d");

impl BadgeState {
    /// The badge of a report: its verdict, and its trust level where that
    /// says more than the verdict. A downgrade turns any badge that is not
    /// already red yellow and says so: people read badges, not JSON.
    pub fn from_report(report: &Report) -> Self {
        let mut state = Self::of_verdict(report);
        state.trust = report.trust;
        if let Some(d) = &report.downgrade {
            state.downgrade = Some(d.sentence.clone());
            if state.color != RED {
                state.message = format!("{} · downgrade", state.message);
                state.color = YELLOW;
            }
        } else if let Some(note) = &report.history_note {
            // Verified, but whether it is a downgrade is not known: not the
            // plain green of a final answer.
            state.history_note = Some(note.clone());
            if state.color == GREEN {
                state.message = format!("{} · history not compared", state.message);
                state.color = YELLOWGREEN;
            }
        }
        state
    }

    fn of_verdict(report: &Report) -> Self {
        match report.verdict {
            Verdict::Verified => {
                let platform = report.provenance.as_ref().map(|p| p.platform);
                let message = match (report.trust, platform) {
                    (Some(TrustLevel::TrustedPublisher), _) => "verified · trusted publisher".to_string(),
                    (_, Some(BuildPlatform::GithubActions)) => "verified · GitHub Actions".to_string(),
                    (_, Some(BuildPlatform::GitlabCi)) => "verified · GitLab CI".to_string(),
                    _ => "verified".to_string(),
                };
                Self::plain(message, GREEN)
            }
            Verdict::Failed => Self::plain("unverified".into(), RED),
            // Nothing failed, but not everything required was there (the
            // registry's publish attestation, say): not green, not red.
            Verdict::Incomplete => Self::plain("incomplete".into(), YELLOW),
            Verdict::NoProvenance => Self::plain("none".into(), GREY),
            Verdict::Error => Self::error("error"),
        }
    }

    fn plain(message: String, color: (&'static str, &'static str)) -> Self {
        Self {
            message,
            color,
            is_error: false,
            trust: None,
            downgrade: None,
            history_note: None,
        }
    }

    pub fn error(message: &str) -> Self {
        Self {
            is_error: true,
            ..Self::plain(message.into(), ORANGE)
        }
    }

    pub fn not_found() -> Self {
        Self {
            is_error: true,
            ..Self::plain("not found".into(), GREY)
        }
    }
}

/// Flat or flat-square.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadgeStyle {
    Flat,
    FlatSquare,
}

/// Longest label accepted from `?label=`.
pub const MAX_LABEL_CHARS: usize = 64;

/// The `?label=` value, cleaned: control characters and characters that
/// reorder or hide text (bidirectional controls, zero-width marks: a label
/// that reads as another in the SVG and its `aria-label`) dropped, bounded.
pub fn clean_label(label: Option<&str>) -> String {
    let label: String = label
        .unwrap_or("provenance")
        .chars()
        .filter(|c| !c.is_control() && !npm_provenance_core::text::is_formatting(*c))
        .take(MAX_LABEL_CHARS)
        .collect();
    if label.trim().is_empty() {
        "provenance".into()
    } else {
        label
    }
}

fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Approximate width in pixels of text in 11px Verdana (what shields.io uses).
fn text_width(text: &str) -> u32 {
    text.chars()
        .map(|c| match c {
            'i' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' => 4,
            'f' | 'j' | 'r' | 't' | ' ' | '(' | ')' | '[' | ']' | '-' | '/' => 5,
            'I' => 5,
            'm' | 'w' | 'M' | 'W' => 11,
            'A'..='Z' => 8,
            '·' => 4,
            _ => 7,
        })
        .sum()
}

/// The badge as SVG, with a `<title>` for screen readers.
pub fn svg(label: &str, state: &BadgeState, style: BadgeStyle) -> String {
    let (lw, mw) = (text_width(label) + 10, text_width(&state.message) + 10);
    let width = lw + mw;
    // Text is drawn at scale(.1): centres in tenths of a pixel.
    let (label_x, message_x) = (lw * 5, (2 * lw + mw) * 5);
    let title = escape_xml(&format!("{label}: {}", state.message));
    let (label, message) = (escape_xml(label), escape_xml(&state.message));
    let color = state.color.1;
    let (rounding, gradient) = match style {
        BadgeStyle::Flat => (
            r##"<clipPath id="r"><rect width="WIDTH" height="20" rx="3" fill="#fff"/></clipPath>"##.replace("WIDTH", &width.to_string()),
            r##"<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>"##.to_string(),
        ),
        BadgeStyle::FlatSquare => (String::new(), String::new()),
    };
    let clip = if style == BadgeStyle::Flat {
        r#" clip-path="url(#r)""#
    } else {
        ""
    };
    let shine = if style == BadgeStyle::Flat {
        format!(r#"<rect width="{width}" height="20" fill="url(#s)"/>"#)
    } else {
        String::new()
    };
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" aria-label="{title}"><title>{title}</title>{gradient}{rounding}<g{clip}><rect width="{lw}" height="20" fill="#555"/><rect x="{lw}" width="{mw}" height="20" fill="{color}"/>{shine}</g><g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="110" text-rendering="geometricPrecision"><text x="{lx}" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)">{label}</text><text x="{lx}" y="140" transform="scale(.1)">{label}</text><text x="{mx}" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)">{message}</text><text x="{mx}" y="140" transform="scale(.1)">{message}</text></g></svg>"##,
        lx = label_x,
        mx = message_x,
    )
}

/// A shields.io endpoint document (`https://img.shields.io/endpoint?url=...`),
/// with the report's `trust` and `downgrade` beside shields' own fields
/// (shields ignores keys it does not know).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShieldsEndpoint {
    pub schema_version: u8,
    pub label: String,
    pub message: String,
    pub color: &'static str,
    pub is_error: bool,
    pub trust: Option<TrustLevel>,
    pub downgrade: Option<String>,
    /// Why the version was not compared with its history, when it was not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history_note: Option<String>,
    /// The age of a last good answer served because the registry failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stale_age_seconds: Option<u64>,
}

pub fn shields_json(label: &str, state: &BadgeState) -> String {
    shields_json_with(label, state, None)
}

/// [`shields_json`], with the age of a stale answer.
pub fn shields_json_with(label: &str, state: &BadgeState, stale_age_seconds: Option<u64>) -> String {
    serde_json::to_string(&ShieldsEndpoint {
        schema_version: 1,
        label: label.to_string(),
        message: state.message.clone(),
        color: state.color.0,
        is_error: state.is_error,
        trust: state.trust,
        downgrade: state.downgrade.clone(),
        history_note: state.history_note.clone(),
        stale_age_seconds,
    })
    .expect("serializes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_escapes_and_titles() {
        let state = BadgeState::plain("<b>&\"'".into(), RED);
        let svg = svg("a<script>", &state, BadgeStyle::Flat);
        assert!(
            svg.contains("<title>a&lt;script&gt;: &lt;b&gt;&amp;&quot;&apos;</title>"),
            "{svg}"
        );
        assert!(!svg.contains("<script>"));
        assert!(!svg.contains("<b>"));
        assert!(svg.contains(r##"fill="#e05d44""##));
        let square = super::svg("provenance", &BadgeState::not_found(), BadgeStyle::FlatSquare);
        assert!(!square.contains("rx=\"3\""));
    }

    #[test]
    fn labels_are_cleaned() {
        assert_eq!(clean_label(None), "provenance");
        assert_eq!(clean_label(Some("  ")), "provenance");
        assert_eq!(clean_label(Some("a\u{0}b\nc")), "abc");
        assert_eq!(clean_label(Some(&"x".repeat(100))).len(), MAX_LABEL_CHARS);
    }

    #[test]
    fn shields_document() {
        let json = shields_json("provenance", &BadgeState::error("error"));
        assert_eq!(
            json,
            r#"{"schemaVersion":1,"label":"provenance","message":"error","color":"orange","isError":true,"trust":null,"downgrade":null}"#
        );
    }
}
