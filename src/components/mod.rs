//! Pieces shared by pages.
pub mod advice;
pub mod badge_embed;
pub mod checklist;
pub mod document_input;
pub mod history;
pub mod identity;
pub mod json_view;
pub mod log_evidence;
pub mod panel;
pub mod report_view;
pub mod search;
pub mod trust;
pub mod verdict;
pub mod virtual_list;
