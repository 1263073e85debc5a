//! "Embed badge": a README badge for the package, served by this app's server
//! (`npm-provenance serve`), with copyable Markdown, HTML and reStructuredText.

use leptos::prelude::*;
use npm_provenance_core::percent::encode_url_text;

/// The origin the page was served from.
fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// Where badges come from, as the hosting page says
/// (`<meta name="npm-provenance-badges">`, see `npm_provenance_core::site`):
/// this origin when the content is empty, a badge server's http(s) base URL
/// otherwise, none on a static host that names none.
fn badge_server() -> Option<String> {
    let named = crate::settings::page_meta(npm_provenance_core::site::META_BADGES)?;
    let named = named.trim().trim_end_matches('/');
    if named.is_empty() {
        return Some(origin());
    }
    crate::settings::normalize_registry(named).ok()
}

/// The badge and page URLs for a package: its latest version, or one version
/// (a validated semver string: nothing in it needs escaping in a path).
pub fn badge_urls(badges: &str, pages: &str, name: &str, version: Option<&str>) -> (String, String) {
    match version {
        None => (
            format!("{badges}/badge/npm/{name}.svg"),
            format!("{pages}/package/{name}"),
        ),
        Some(v) => (
            format!("{badges}/badge/npm/{name}/{v}.svg"),
            format!("{pages}/package/{name}/v/{v}"),
        ),
    }
}

/// Markdown link text: brackets and backslashes escaped, one line.
fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().filter(|c| !c.is_control()) {
        if matches!(c, '\\' | '[' | ']' | '*' | '_' | '`' | '<' | '>') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// An HTML attribute value.
fn html_attribute(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// reStructuredText option text: one line.
fn rst_text(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}

/// The three snippets, in the order shown. `name` is the name from the
/// page's address, validated as an npm name (never the registry's word),
/// and every part is escaped for its format: people paste these into pages.
pub fn snippets(name: &str, badge: &str, page: &str) -> [(&'static str, String); 3] {
    let alt = format!("npm provenance for {name}");
    let (badge, page) = (encode_url_text(badge), encode_url_text(page));
    [
        ("Markdown", format!("[![{}]({badge})]({page})", markdown_text(&alt))),
        (
            "HTML",
            format!(
                r#"<a href="{}"><img src="{}" alt="{}"></a>"#,
                html_attribute(&page),
                html_attribute(&badge),
                html_attribute(&alt)
            ),
        ),
        (
            "reStructuredText",
            format!(".. image:: {badge}\n   :alt: {}\n   :target: {page}", rst_text(&alt)),
        ),
    ]
}

/// `version` is the version the page shows when it is not the latest one:
/// the section then lets the reader pick a badge for it instead.
#[component]
pub fn BadgeEmbed(name: String, version: Option<String>) -> impl IntoView {
    // No badge server, no badge to offer (a static host).
    badge_server().map(|badges| badge_section(name, version, badges))
}

fn badge_section(name: String, version: Option<String>, badges: String) -> impl IntoView {
    let registry = crate::settings::use_registry();
    let origin = origin();
    let (pinned, set_pinned) = signal(false);
    let urls = {
        let (name, version) = (name.clone(), version.clone());
        Memo::new(move |_| badge_urls(&badges, &origin, &name, version.as_deref().filter(|_| pinned.get())))
    };
    let choice = version.clone().map(|v| {
        view! {
            <fieldset class="badge-choice">
                <legend>"Badge for"</legend>
                <label><input type="radio" name="badge-version" checked=move || !pinned.get()
                    on:change=move |_| set_pinned.set(false) />" the latest version"</label>
                <label><input type="radio" name="badge-version" data-testid="badge-pin" checked=move || pinned.get()
                    on:change=move |_| set_pinned.set(true) />{format!(" this version, {v}")}</label>
            </fieldset>
        }
    });
    let snippet_names = name.clone();
    view! {
        <section id="badge" class="badge-embed" aria-labelledby="badge-heading">
            <h2 id="badge-heading">"Embed badge"</h2>
            <p class="hint">{move || if pinned.get() {
                "Green only when this site's server has verified this version's provenance itself."
            } else {
                "Green only when this site's server has verified the latest version's provenance itself."
            }}</p>
            {(registry.get() != registry.default_registry()).then(|| view! {
                <p class="warning">
                    "This server's badges verify against " {registry.default_registry()}
                    ", not the registry this page is showing."
                </p>
            })}
            {choice}
            <p><img class="badge-preview" src=move || urls.get().0 alt=format!("provenance badge for {name}") data-testid="badge-preview" /></p>
            {["Markdown", "HTML", "reStructuredText"].into_iter().enumerate().map(|(i, label)| {
                let id = format!("badge-{}", label.to_lowercase());
                let (copied, set_copied) = signal(false);
                let name = snippet_names.clone();
                let code = Memo::new(move |_| {
                    let (badge, page) = urls.get();
                    snippets(&name, &badge, &page)[i].1.clone()
                });
                view! {
                    <div class="snippet">
                        <label for=id.clone()>{label}</label>
                        <div class="snippet-row">
                            <textarea id=id readonly rows="2" spellcheck="false" prop:value=move || code.get()></textarea>
                            <button type="button" class="secondary" on:click=move |_| {
                                if let Some(w) = web_sys::window() {
                                    let _ = w.navigator().clipboard().write_text(&code.get_untracked());
                                    set_copied.set(true);
                                }
                            }>{move || if copied.get() { "Copied" } else { "Copy" }}</button>
                        </div>
                    </div>
                }
            }).collect_view()}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_link_back_to_the_package_page() {
        let (badge, page) = badge_urls("https://p.example", "https://p.example", "@scope/name", None);
        assert_eq!(badge, "https://p.example/badge/npm/@scope/name.svg");
        let [md, html, rst] = snippets("@scope/name", &badge, &page);
        assert_eq!(
            md.1,
            "[![npm provenance for @scope/name](https://p.example/badge/npm/@scope/name.svg)](https://p.example/package/@scope/name)"
        );
        assert!(
            html.1
                .starts_with(r#"<a href="https://p.example/package/@scope/name"><img src=""#)
        );
        assert!(rst.1.contains(":target: https://p.example/package/@scope/name"));
    }

    /// Whatever ends up in the name or the origin, no snippet carries markup
    /// or a link of its choosing.
    #[test]
    fn snippets_are_escaped_for_their_format() {
        let hostile = r#"x"><script>alert(1)</script>](javascript:alert(1))"#;
        let origin = "https://p.example/a b)\"<";
        let (badge, page) = badge_urls(origin, origin, hostile, None);
        let [md, html, rst] = snippets(hostile, &badge, &page);
        assert!(!html.1.contains("<script"), "{}", html.1);
        assert_eq!(html.1.matches('<').count(), 3, "only <a>, <img> and </a>: {}", html.1);
        assert_eq!(
            html.1.matches('"').count(),
            6,
            "three attributes, quoted once: {}",
            html.1
        );
        // Link ends that Markdown reads: "](" not escaped by a backslash.
        let unescaped: Vec<usize> =
            md.1.match_indices("](")
                .map(|(i, _)| i)
                .filter(|&i| i == 0 || &md.1[i - 1..i] != "\\")
                .collect();
        assert_eq!(unescaped.len(), 2, "only the two links: {}", md.1);
        assert!(
            unescaped
                .iter()
                .all(|&i| md.1[i + 2..].starts_with("https://p.example/")),
            "{}",
            md.1
        );
        assert_eq!(rst.1.lines().count(), 3, "{}", rst.1);
        assert!(!rst.1.contains(' ') || rst.1.lines().all(|l| !l.trim_start().contains(" javascript")));
    }

    /// A static host names another server for badges: the badge comes from
    /// it, the link back to the page stays on the page's own origin.
    #[test]
    fn badges_from_another_server_link_back_to_this_one() {
        let (badge, page) = badge_urls("https://badges.example", "https://static.example", "sigstore", None);
        assert_eq!(badge, "https://badges.example/badge/npm/sigstore.svg");
        assert_eq!(page, "https://static.example/package/sigstore");
    }

    #[test]
    fn a_pinned_badge_names_the_version_in_both_urls() {
        let (badge, page) = badge_urls(
            "https://p.example",
            "https://p.example",
            "@scope/name",
            Some("1.2.3-rc.1"),
        );
        assert_eq!(badge, "https://p.example/badge/npm/@scope/name/1.2.3-rc.1.svg");
        assert_eq!(page, "https://p.example/package/@scope/name/v/1.2.3-rc.1");
    }
}
