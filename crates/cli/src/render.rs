//! The human-readable checklist.
//!
//! Every string from a bundle or the registry is printed through [`clean`]:
//! a crafted attestation must not be able to send escape sequences to the
//! terminal or reorder text with bidirectional controls.

use std::fmt::Write as _;

use npm_provenance_core::{CheckStatus, Report, Verdict};

/// Every string from a bundle or the registry goes through this.
fn clean(text: &str) -> String {
    npm_provenance_core::text::visible(text)
}

fn mark(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::Passed => "✓",
        CheckStatus::Failed => "✗",
        CheckStatus::NotReached => "·",
        CheckStatus::Skipped => "–",
    }
}

/// The whole report as text.
pub fn checklist(report: &Report) -> String {
    let mut out = String::new();
    let verdict = match report.verdict {
        Verdict::Verified => "VERIFIED",
        Verdict::Failed => "FAILED",
        Verdict::NoProvenance => "NO PROVENANCE",
        Verdict::Incomplete => "INCOMPLETE",
        Verdict::Error => "ERROR",
    };
    let _ = writeln!(out, "{verdict}: {}", clean(&report.summary));
    if let Some(level) = report.trust {
        let _ = writeln!(out, "Trust level: {}", level.label());
    }
    if let Some(p) = &report.publishing {
        if let Some(tp) = &p.trusted_publisher {
            let _ = writeln!(
                out,
                "Published through trusted publishing ({}), the registry says (unsigned)",
                clean(&tp.id)
            );
        }
        if let Some(approver) = &p.approver {
            let _ = writeln!(
                out,
                "Staged publish approved by {}, the registry says (unsigned)",
                clean(approver)
            );
        }
    }
    if let Some(d) = &report.downgrade {
        let _ = writeln!(out, "DOWNGRADE: {}", clean(&d.sentence));
    }
    if let Some(source) = &report.trust_source {
        let _ = writeln!(out, "Trust material: {}", clean(&source.sentence()));
        if let Some(warning) = &source.warning {
            let _ = writeln!(out, "WARNING: {}", clean(warning));
        }
    }
    let section = |out: &mut String, title: &str, checks: &[npm_provenance_core::Check]| {
        if checks.is_empty() {
            return;
        }
        let _ = writeln!(out, "\n{title}");
        for c in checks {
            let _ = writeln!(out, "  {} {}: {}", mark(c.status), c.title, clean(&c.detail));
        }
    };
    section(&mut out, "Package", &report.checks);
    for a in &report.attestations {
        let title = match &a.predicate_type {
            Some(t) => format!("{} ({})", a.kind.label(), clean(t)),
            None => a.kind.label().to_string(),
        };
        section(&mut out, &title, &a.checks);
        if let Some(id) = &a.identity {
            let _ = writeln!(
                out,
                "  certificate{}: {} issued by {}",
                if id.verified { "" } else { " (unverified)" },
                clean(id.subject_alternative_name.as_deref().unwrap_or("?")),
                clean(id.issuer.as_deref().unwrap_or("?"))
            );
        }
        if let Some(key) = &a.signing_key {
            let _ = writeln!(out, "  signing key: {}", clean(&key.key_id));
        }
        if let Some(t) = &a.tlog {
            let _ = writeln!(
                out,
                "  log entry: index {} ({} {}), integrated {}",
                t.log_index,
                t.kind,
                t.kind_version,
                t.integrated_time_rfc3339.as_deref().unwrap_or("?")
            );
        }
    }
    if let Some(p) = &report.provenance {
        // Its claims come from an attestation that verified; the version as a
        // whole may not have, and then nothing here is vouched for.
        let title = if report.verdict == Verdict::Verified {
            "Provenance"
        } else {
            "Provenance (NOT VERIFIED: the version did not pass every check; claims shown for reference)"
        };
        let _ = writeln!(out, "\n{title}\n  {}", p.headline);
        let row = |out: &mut String, label: &str, text: Option<&str>, url: Option<&str>| {
            if let Some(text) = text {
                let _ = write!(out, "  {label:<14} {}", clean(text));
                if let Some(url) = url.filter(|u| *u != text) {
                    let _ = write!(out, "  <{}>", clean(url));
                }
                out.push('\n');
            }
        };
        row(&mut out, "Build summary", p.build_summary_url.as_deref(), None);
        row(
            &mut out,
            "Source commit",
            p.source_commit.as_ref().map(|l| l.text.as_str()),
            p.source_commit.as_ref().and_then(|l| l.url.as_deref()),
        );
        row(
            &mut out,
            "Build file",
            p.build_file.as_ref().map(|l| l.text.as_str()),
            p.build_file.as_ref().and_then(|l| l.url.as_deref()),
        );
        row(
            &mut out,
            "Public ledger",
            p.public_ledger.as_ref().and_then(|l| l.url.as_deref()),
            None,
        );
        row(&mut out, "Published", p.published_at.as_deref(), None);
        if !p.from_predicate.is_empty() {
            let _ = writeln!(
                out,
                "  (from the predicate, not the certificate: {})",
                p.from_predicate.join(", ")
            );
        }
    }
    out
}
