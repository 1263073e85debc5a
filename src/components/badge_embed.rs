//! "Embed badge": a README badge for the package, served by this app's server
//! (`npm-provenance serve`), with copyable Markdown, HTML and reStructuredText.

use leptos::prelude::*;

/// The origin the page was served from (where the badge server is).
fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// The badge and page URLs for a package (latest version).
pub fn badge_urls(origin: &str, name: &str) -> (String, String) {
    (
        format!("{origin}/badge/npm/{name}.svg"),
        format!("{origin}/package/{name}"),
    )
}

/// The three snippets, in the order shown.
pub fn snippets(name: &str, badge: &str, page: &str) -> [(&'static str, String); 3] {
    let alt = format!("npm provenance for {name}");
    [
        ("Markdown", format!("[![{alt}]({badge})]({page})")),
        (
            "HTML",
            format!(r#"<a href="{page}"><img src="{badge}" alt="{alt}"></a>"#),
        ),
        (
            "reStructuredText",
            format!(".. image:: {badge}\n   :alt: {alt}\n   :target: {page}"),
        ),
    ]
}

#[component]
pub fn BadgeEmbed(name: String) -> impl IntoView {
    let registry = crate::settings::use_registry();
    let (badge, page) = badge_urls(&origin(), &name);
    let snippets = snippets(&name, &badge, &page);
    view! {
        <section class="badge-embed" aria-labelledby="badge-heading">
            <h2 id="badge-heading">"Embed badge"</h2>
            <p class="hint">"Green only when this site's server has verified the latest version's provenance itself."</p>
            {(registry.get() != registry.default_registry()).then(|| view! {
                <p class="warning">
                    "This server's badges verify against " {registry.default_registry()}
                    ", not the registry this page is showing."
                </p>
            })}
            <p><img class="badge-preview" src=badge.clone() alt=format!("provenance badge for {name}") data-testid="badge-preview" /></p>
            {snippets.into_iter().map(|(label, code)| {
                let id = format!("badge-{}", label.to_lowercase().replace(' ', "-"));
                let (copied, set_copied) = signal(false);
                let text = code.clone();
                view! {
                    <div class="snippet">
                        <label for=id.clone()>{label}</label>
                        <div class="snippet-row">
                            <textarea id=id readonly rows="2" spellcheck="false">{code}</textarea>
                            <button type="button" class="secondary" on:click=move |_| {
                                if let Some(w) = web_sys::window() {
                                    let _ = w.navigator().clipboard().write_text(&text);
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
        let (badge, page) = badge_urls("https://p.example", "@scope/name");
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
}
