//! The gate's report where people read it: a terminal, GitHub's workflow
//! annotations and step summary, SARIF 2.1.0 for code scanning, GitLab's
//! code-quality report. Every format renders the same findings; none
//! decides anything (the core did).
//!
//! Package data is anyone's: every text from a lockfile, a registry or a
//! certificate is escaped for the format it goes into (a workflow
//! command's `%`, `:` and `,`; Markdown's table and markup characters).

use npm_provenance_core::gate::{Finding, GateReport, GateVersion, Rule};
use npm_provenance_core::text::visible;
use serde_json::{Value, json};

const TOOL: &str = "npm-provenance";

/// How a finding is shown: it fails; it would, but is waived; a notice.
fn level(f: &Finding) -> &'static str {
    if f.fails {
        "error"
    } else if f.waived.is_some() || f.rule == Rule::PackageManager {
        "notice"
    } else {
        "warning"
    }
}

fn headline(report: &GateReport) -> String {
    let s = &report.summary;
    let state = if report.passes() { "passed" } else { "failed" };
    format!(
        "{state}: {} findings, {} failing; {} changed package versions checked ({} added, {} upgraded, {} downgraded, {} repinned), {} unchanged, {} removed",
        s.findings, s.failing, s.checked, s.added, s.upgraded, s.downgraded, s.repinned, s.unchanged, s.removed
    )
}

fn policy_lines(report: &GateReport) -> Vec<String> {
    let p = &report.policy;
    let mut out = Vec::new();
    let fail_on: Vec<&str> = report.fail_on.iter().map(|f| f.key()).collect();
    out.push(format!(
        "fails on: failed verification, not checked, left out{}{}",
        if fail_on.is_empty() { "" } else { ", " },
        fail_on.join(", ")
    ));
    if let Some(s) = &p.no_downgrade {
        out.push(format!(
            "trust policy: {} ({})",
            if s.value { "no-downgrade" } else { "off" },
            s.from
        ));
    }
    for e in &p.exclude {
        out.push(format!("excluded: {} ({})", visible(&e.value.text), e.from));
    }
    if let Some(s) = &p.ignore_after_minutes {
        out.push(format!("ignored after {} minutes ({})", s.value, s.from));
    }
    if let Some(s) = &p.min_release_age_minutes {
        out.push(format!("minimum release age {} minutes ({})", s.value, s.from));
    }
    for n in p.notes.iter().chain(&report.notes) {
        out.push(visible(n));
    }
    out
}

/// For a terminal.
pub fn text(report: &GateReport, path: &str) -> String {
    let mut out = format!(
        "{} against {}\n{}\n",
        visible(path),
        visible(&report.base),
        headline(report)
    );
    if let Some(rule) = &report.failed_rule {
        out.push_str(&format!("not passed: {rule}\n"));
    }
    if !report.findings.is_empty() {
        out.push('\n');
    }
    for f in &report.findings {
        let mark = match level(f) {
            "error" => "✗",
            "warning" => "!",
            _ => "–",
        };
        out.push_str(&format!(
            "{mark} {}{} {}: {}{}\n",
            visible(&f.subject()),
            f.line.map(|l| format!(" (line {l})")).unwrap_or_default(),
            f.rule.title(),
            visible(&f.message),
            f.waived
                .as_ref()
                .map(|w| format!(" [{}]", visible(w)))
                .unwrap_or_default()
        ));
    }
    if !report.versions.is_empty() {
        out.push_str("\nchecked:\n");
        for v in &report.versions {
            out.push_str(&format!("  {}\n", version_line(v)));
        }
    }
    out.push('\n');
    for line in policy_lines(report) {
        out.push_str(&format!("{line}\n"));
    }
    out
}

fn version_line(v: &GateVersion) -> String {
    let e = &v.entry;
    format!(
        "{}@{} {}{}: {}{}{}",
        visible(&e.name),
        visible(&e.version),
        v.change.label(),
        v.base_version
            .as_ref()
            .map(|b| format!(" from {}", visible(b)))
            .unwrap_or_default(),
        e.verdict.label(),
        e.trust.map(|t| format!(", {}", t.label())).unwrap_or_default(),
        e.repository
            .as_ref()
            .map(|r| format!(", built from {}", visible(r)))
            .unwrap_or_default(),
    )
}

/// A workflow command's message (`%`, CR and LF escaped, as the runner
/// reads them back).
fn command_data(text: &str) -> String {
    visible(text)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property (also `:` and `,`, which end one).
fn command_property(text: &str) -> String {
    command_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub workflow commands: one annotation per finding, at its line.
pub fn github_annotations(report: &GateReport, path: &str) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let mut props = vec![format!("file={}", command_property(path))];
        if let Some(line) = f.line {
            props.push(format!("line={line}"));
        }
        props.push(format!(
            "title={}",
            command_property(&format!("{}: {}", f.rule.title(), f.subject()))
        ));
        let waived = f.waived.as_ref().map(|w| format!(" ({w})")).unwrap_or_default();
        out.push_str(&format!(
            "::{} {}::{}\n",
            level(f),
            props.join(","),
            command_data(&format!("{}{waived}", f.message))
        ));
    }
    out.push_str(&format!("npm-provenance: {}\n", headline(report)));
    out
}

/// `result`, `findings`, `failing`, `checked` for `$GITHUB_OUTPUT`.
pub fn github_outputs(report: &GateReport) -> String {
    format!(
        "result={}\nfindings={}\nfailing={}\nchecked={}\n",
        if report.passes() { "passed" } else { "failed" },
        report.summary.findings,
        report.summary.failing,
        report.summary.checked
    )
}

/// Text for a Markdown table cell: markup and HTML characters escaped, one line.
fn cell(text: &str) -> String {
    let mut out = String::new();
    // A line break would end the table row; shown as a space.
    for c in visible(&text.replace(['\r', '\n'], " ")).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// The step summary: the decision, one table row per finding, and the
/// versions checked.
pub fn markdown(report: &GateReport, path: &str) -> String {
    let s = &report.summary;
    let mut out = format!(
        "### npm provenance: {}\n\n`{}` against {}: {} changed package versions checked ({} verified), {} unchanged (not fetched), {} removed.\n\n",
        if report.passes() { "passed" } else { "failed" },
        cell(path),
        cell(&report.base),
        s.checked,
        s.verified,
        s.unchanged,
        s.removed
    );
    if let Some(rule) = &report.failed_rule {
        out.push_str(&format!("**Not passed:** {}\n\n", cell(rule)));
    }
    if report.findings.is_empty() {
        out.push_str("No findings.\n\n");
    } else {
        out.push_str("| | Package | Line | Finding | Details |\n|---|---|---|---|---|\n");
        for f in &report.findings {
            let icon = match level(f) {
                "error" => "❌",
                "warning" => "⚠️",
                _ => "ℹ️",
            };
            let waived = f
                .waived
                .as_ref()
                .map(|w| format!(" *Waived: {}.*", cell(w)))
                .unwrap_or_default();
            out.push_str(&format!(
                "| {icon} | {} | {} | {} | {}{waived} |\n",
                if f.name.is_empty() {
                    "(lockfile)".to_string()
                } else {
                    cell(&f.subject())
                },
                f.line.map(|l| l.to_string()).unwrap_or_default(),
                f.rule.title(),
                cell(&f.message)
            ));
        }
        out.push('\n');
    }
    if !report.versions.is_empty() {
        out.push_str(&format!(
            "<details><summary>{} changed package versions</summary>\n\n| Package | Change | Verdict | Trust | Built from |\n|---|---|---|---|---|\n",
            report.versions.len()
        ));
        for v in &report.versions {
            let e = &v.entry;
            out.push_str(&format!(
                "| {}@{} | {}{} | {} | {} | {} |\n",
                cell(&e.name),
                cell(&e.version),
                v.change.label(),
                v.base_version
                    .as_ref()
                    .map(|b| format!(" from {}", cell(b)))
                    .unwrap_or_default(),
                e.verdict.label(),
                e.trust.map(|t| t.label()).unwrap_or("–"),
                e.repository.as_deref().map(cell).unwrap_or_default()
            ));
        }
        out.push_str("\n</details>\n\n");
    }
    let lines = policy_lines(report);
    out.push_str(&format!(
        "<sub>{}</sub>\n\n",
        lines.iter().map(|l| cell(l)).collect::<Vec<_>>().join(" · ")
    ));
    out
}

/// A stable identity for a finding across runs (code scanning and GitLab
/// match findings by it).
fn fingerprint(f: &Finding) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in [f.rule.id(), &f.name, f.version.as_deref().unwrap_or_default()] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    if f.name.is_empty() {
        h.update(f.message.as_bytes());
    }
    hex::encode(h.finalize())
}

/// SARIF 2.1.0: one run, the rules this program has, a result per finding
/// (waived ones suppressed, with why).
pub fn sarif(report: &GateReport, path: &str) -> Value {
    let rules: Vec<Value> = Rule::ALL
        .iter()
        .map(|r| {
            json!({
                "id": r.id(),
                "name": r.title().replace(' ', ""),
                "shortDescription": { "text": r.title() },
                "fullDescription": { "text": r.description() },
                "defaultConfiguration": { "level": if *r == Rule::PackageManager { "note" } else { "warning" } },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let mut location = json!({
                "physicalLocation": {
                    "artifactLocation": { "uri": path, "uriBaseId": "%SRCROOT%" },
                }
            });
            if let Some(line) = f.line {
                location["physicalLocation"]["region"] = json!({ "startLine": line });
            }
            let mut result = json!({
                "ruleId": f.rule.id(),
                "ruleIndex": Rule::ALL.iter().position(|r| *r == f.rule).unwrap_or(0),
                "level": match level(f) { "error" => "error", "warning" => "warning", _ => "note" },
                "message": { "text": format!("{}: {}", visible(&f.subject()), visible(&f.message)) },
                "locations": [location],
                "partialFingerprints": { "npmProvenanceFinding/v1": fingerprint(f) },
                "properties": { "package": f.name, "version": f.version, "fails": f.fails },
            });
            if let Some(waived) = &f.waived {
                result["suppressions"] = json!([{ "kind": "external", "justification": visible(waived) }]);
            }
            result
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": TOOL,
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "originalUriBaseIds": { "%SRCROOT%": { "description": { "text": "The repository's top folder." } } },
            "invocations": [{
                "executionSuccessful": true,
                "properties": { "passed": report.passes(), "failedRule": report.failed_rule },
            }],
            "results": results,
        }]
    })
}

/// GitLab's code-quality report (a JSON array; `severity` one of info,
/// minor, major, critical, blocker).
pub fn gitlab(report: &GateReport, path: &str) -> Value {
    Value::Array(
        report
            .findings
            .iter()
            .map(|f| {
                let severity = match (f.rule, level(f)) {
                    (Rule::VerificationFailed, "error") => "blocker",
                    (_, "error") => "critical",
                    (_, "warning") => "minor",
                    _ => "info",
                };
                let waived = f.waived.as_ref().map(|w| format!(" ({})", visible(w))).unwrap_or_default();
                json!({
                    "description": format!("{}: {}: {}{waived}", f.rule.title(), visible(&f.subject()), visible(&f.message)),
                    "check_name": f.rule.id(),
                    "fingerprint": fingerprint(f),
                    "severity": severity,
                    "location": { "path": path, "lines": { "begin": f.line.unwrap_or(1) } },
                })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_data_cannot_start_a_workflow_command_or_break_a_table() {
        // A line break would begin a new command; an escape already
        // written (`%0A`) would be decoded into one by the runner.
        let hostile = "ok\n::error file=x::forged %0A, a:b";
        let data = command_data(hostile);
        assert_eq!(data, "ok\\u{a}::error file=x::forged %250A, a:b");
        let property = command_property("a,b:c");
        assert_eq!(property, "a%2Cb%3Ac");
        let c = cell("x | y <script> [link](javascript:1) `code`\nnext");
        assert_eq!(c, "x \\| y &lt;script&gt; \\[link\\](javascript:1) \\`code\\` next");
    }
}
