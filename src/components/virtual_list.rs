//! A scrolling list that draws only the rows in view, however many it has:
//! the audit's table, and every list of a lockfile's entries. A 16 MB
//! lockfile of 150,000 dependencies from outside the registry drew every
//! one of them (6 s of the page's thread in Chromium, the page frozen);
//! drawn in view, it is some forty.
//!
//! Rows are in the page's flow and wrap as their text needs (a name or a
//! reason is never cut, at any zoom or width): their height is not known
//! in advance, so the rows above and below those drawn are stood for by
//! padding of the measured average height. Padding is set through the CSS
//! object model (`style:`), which the page's Content-Security-Policy
//! allows, not as `style` attributes, which it blocks.

use std::ops::Range;

use leptos::html;
use leptos::prelude::*;

/// Rows drawn above and below those in view: a fast scroll shows drawn rows
/// while the next ones are drawn.
const OVERSCAN: usize = 8;
/// A scroll box's height before it is measured (pixels).
const FIRST_VIEWPORT: f64 = 720.0;

/// The rows of a list to draw for a scroll position: from `first`, enough
/// to fill `viewport` pixels at the `average` row height (half as many
/// again, for rows shorter than the average), with [`OVERSCAN`] each side.
pub fn rows_in_view(len: usize, scroll_top: f64, viewport: f64, average: f64) -> Range<usize> {
    let average = average.max(1.0);
    let first = ((scroll_top / average) as usize).saturating_sub(OVERSCAN).min(len);
    let count = (viewport * 1.5 / average).ceil() as usize + 2 * OVERSCAN;
    first..(first + count).min(len)
}

/// A list of `len` rows in a scroll box of its own, drawing only those in
/// view. `rows` returns the data of a range of rows (read under the
/// caller's signals: the list redraws when they change, and only then);
/// `row` draws one, given its index. `children`, if any, come first inside
/// the scroll box (a table's header row, kept in view with `position:
/// sticky`).
#[component]
pub fn VirtualList<T, F, R, V>(
    /// How many rows the list has.
    #[prop(into)]
    len: Signal<usize>,
    rows: F,
    row: R,
    /// A row's height before any is measured (pixels).
    estimate: f64,
    /// The scroll box's class.
    class: &'static str,
    /// The scroll box's role (`table`) and name.
    #[prop(optional)]
    role: Option<&'static str>,
    #[prop(optional)] label: Option<&'static str>,
    /// For a table: its rows, the header's included (most are not drawn).
    #[prop(optional, into)]
    aria_rowcount: Option<Signal<usize>>,
    /// The role of the element holding the rows (`list`, `rowgroup`).
    #[prop(optional)]
    body_role: Option<&'static str>,
    #[prop(optional)] testid: Option<&'static str>,
    /// Make the scroll box a tab stop, for lists with nothing focusable in
    /// their rows (the keyboard must be able to scroll them).
    #[prop(optional)]
    focusable: bool,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView
where
    T: Clone + PartialEq + Send + Sync + 'static,
    F: Fn(Range<usize>) -> Vec<T> + Send + Sync + 'static,
    R: Fn(usize, T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let scroll_top = RwSignal::new(0.0f64);
    let viewport = RwSignal::new(FIRST_VIEWPORT);
    let average = RwSignal::new(estimate);
    let body = NodeRef::<html::Div>::new();
    let range = Memo::new(move |_| rows_in_view(len.get(), scroll_top.get(), viewport.get(), average.get()));
    // The rows in view, compared with the last ones: while an audit runs,
    // results arrive every 250 ms, mostly below the rows in view, and
    // redrawing those unchanged cost the page's thread about 20 ms a time
    // (layout and text shaping of some 250 cells; Chromium trace of the
    // 1,000-package bench).
    let in_view = Memo::new(move |_| {
        let range = range.get();
        let first = range.start;
        rows(range)
            .into_iter()
            .enumerate()
            .map(|(k, t)| (first + k, t))
            .collect::<Vec<_>>()
    });
    // Once drawn, the rows' real average height sets the padding and how
    // many rows fill the view (a card on a phone is taller than a table row).
    Effect::new(move |_| {
        in_view.track();
        // Measured a frame later, when the list may be gone (a new audit
        // replaced it): nothing is read from a list that is.
        request_animation_frame(move || {
            let Some(body) = body.try_get_untracked().flatten() else {
                return;
            };
            let (Some(last_average), Some(last_viewport)) = (average.try_get_untracked(), viewport.try_get_untracked())
            else {
                return;
            };
            let children = body.children();
            let (mut total, mut count) = (0.0, 0u32);
            for i in 0..children.length() {
                if let Some(child) = children.item(i) {
                    total += child.get_bounding_client_rect().height();
                    count += 1;
                }
            }
            if count > 0 {
                let measured = total / f64::from(count);
                if (measured - last_average).abs() > 0.5 {
                    average.set(measured);
                }
            }
            if let Some(scroller) = body.parent_element() {
                let height = f64::from(scroller.client_height());
                if height > 0.0 && (height - last_viewport).abs() > 0.5 {
                    viewport.set(height);
                }
            }
        });
    });
    let padding = move |above: bool| {
        let r = range.get();
        let rows = if above {
            r.start
        } else {
            len.get().saturating_sub(r.end)
        };
        format!("{}px", rows as f64 * average.get())
    };
    // A list the keyboard scrolls is a named region; otherwise the name is
    // the list's own (a plain `div` may not carry one).
    let role = role.or(focusable.then_some("region"));
    let (box_label, body_label) = if role.is_some() { (label, None) } else { (None, label) };
    view! {
        <div class=class role=role aria-label=box_label data-testid=testid tabindex=focusable.then_some("0")
            aria-rowcount=move || aria_rowcount.map(|n| n.get())
            on:scroll=move |ev| {
                let el: web_sys::Element = event_target(&ev);
                scroll_top.set(f64::from(el.scroll_top()));
                viewport.set(f64::from(el.client_height()));
            }>
            {children.map(|c| c())}
            <div class="virtual-rows" role=body_role aria-label=body_label node_ref=body
                style:padding-top=move || padding(true) style:padding-bottom=move || padding(false)>
                {move || {
                    let row = row.clone();
                    in_view.get().into_iter().map(move |(i, t)| row(i, t)).collect_view()
                }}
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_rows_in_view_and_a_margin_are_drawn() {
        assert_eq!(rows_in_view(150_000, 0.0, 320.0, 24.0), 0..36);
        let far = rows_in_view(150_000, 2_400_000.0, 320.0, 24.0);
        assert_eq!(far, 99_992..100_028);
        assert_eq!(rows_in_view(10, 0.0, 720.0, 36.0), 0..10);
        // Scrolled past the end (a list that just shrank): nothing beyond it.
        assert_eq!(rows_in_view(5, 10_000.0, 720.0, 36.0), 5..5);
        assert_eq!(rows_in_view(0, 0.0, 0.0, 0.0), 0..0);
    }
}
