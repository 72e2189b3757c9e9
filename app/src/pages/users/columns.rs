//! The users table's columns: which are shown (a chooser, remembered per
//! admin in this browser), how each cell reads, and the row density.
use leptos::prelude::*;

use crate::components::status::StatusBadge;
use crate::components::time::short_time;
use crate::model::user_query::SortKey;
use crate::model::UserSummary;

/// Every column but Username (always shown, the row's link).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Name,
    Email,
    Phone,
    Role,
    Groups,
    Status,
    TwoFactor,
    LastLogin,
    Created,
}

impl Column {
    pub const ALL: [Column; 9] = [
        Column::Name,
        Column::Email,
        Column::Phone,
        Column::Role,
        Column::Groups,
        Column::Status,
        Column::TwoFactor,
        Column::LastLogin,
        Column::Created,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Column::Name => "Name",
            Column::Email => "Email",
            Column::Phone => "Phone",
            Column::Role => "Role",
            Column::Groups => "Groups",
            Column::Status => "Status",
            Column::TwoFactor => "2FA",
            Column::LastLogin => "Last login",
            Column::Created => "Created",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Column::Name => "name",
            Column::Email => "email",
            Column::Phone => "phone",
            Column::Role => "role",
            Column::Groups => "groups",
            Column::Status => "status",
            Column::TwoFactor => "2fa",
            Column::LastLogin => "last_login",
            Column::Created => "created",
        }
    }

    pub fn sort(self) -> Option<SortKey> {
        match self {
            Column::Name => Some(SortKey::Name),
            Column::Email => Some(SortKey::Email),
            Column::Phone => Some(SortKey::Phone),
            Column::Role => Some(SortKey::Role),
            Column::Groups => None,
            Column::Status => Some(SortKey::Status),
            Column::TwoFactor => Some(SortKey::TwoFactor),
            Column::LastLogin => Some(SortKey::LastLogin),
            Column::Created => Some(SortKey::Created),
        }
    }

    /// Shown until the admin chooses: what fits a 1366 px laptop.
    fn default_shown(self) -> bool {
        !matches!(self, Column::Phone | Column::Groups | Column::TwoFactor)
    }

    /// Hidden on a phone, where only the key columns fit.
    fn wide_only(self) -> bool {
        !matches!(self, Column::Name | Column::Status)
    }

    /// The cell's classes: hidden below `md` for the columns a phone drops.
    pub fn cell_class(self, compact: bool) -> String {
        let pad = if compact { "px-3 py-1" } else { "px-4 py-2" };
        let phone = if self.wide_only() {
            " hidden md:table-cell"
        } else {
            ""
        };
        let wrap = match self {
            Column::Email | Column::Groups => "",
            _ => " whitespace-nowrap",
        };
        format!("{pad}{phone}{wrap}")
    }

    pub fn cell(self, user: &UserSummary) -> AnyView {
        match self {
            Column::Name => user.full_name().into_any(),
            Column::Email => {
                view! { <span class="break-all">{user.email.clone()}</span> }.into_any()
            }
            Column::Phone => user.phone.clone().unwrap_or_else(|| "—".into()).into_any(),
            Column::Role => user.role.clone().into_any(),
            Column::Groups => user.groups.join(", ").into_any(),
            Column::Status => view! {
                <StatusBadge status=user.status signed_in=user.last_login_at.is_some()/>
            }
            .into_any(),
            Column::TwoFactor => if user.two_factor { "On" } else { "Off" }.into_any(),
            Column::LastLogin => user
                .last_login_at
                .as_deref()
                .map(short_time)
                .unwrap_or_else(|| "Never".into())
                .into_any(),
            Column::Created => short_time(&user.created_at).into_any(),
        }
    }
}

/// The admin's choice: shown columns and density. The server renders the
/// defaults; the browser then applies what this admin chose before.
#[derive(Clone, Copy)]
pub struct TableView {
    pub shown: RwSignal<Vec<Column>>,
    pub compact: RwSignal<bool>,
    owner: Signal<Option<String>>,
}

impl TableView {
    pub fn new(owner: Signal<Option<String>>) -> Self {
        let view = TableView {
            shown: RwSignal::new(
                Column::ALL
                    .into_iter()
                    .filter(|c| c.default_shown())
                    .collect(),
            ),
            compact: RwSignal::new(false),
            owner,
        };
        // In the browser, once the admin is known: their saved choice.
        Effect::new(move |_| {
            if let Some(saved) = owner.get().and_then(|o| load(&o)) {
                let (shown, compact) = parse(&saved);
                view.shown.set(shown);
                view.compact.set(compact);
            }
        });
        view
    }

    pub fn is_shown(&self, column: Column) -> bool {
        self.shown.with(|s| s.contains(&column))
    }

    fn toggle(&self, column: Column, on: bool) {
        self.shown.update(|s| {
            s.retain(|c| *c != column);
            if on {
                s.push(column);
            }
            // Keep the table's order, whatever the clicking order.
            s.sort_by_key(|c| Column::ALL.iter().position(|a| a == c));
        });
        self.save();
    }

    fn save(&self) {
        if let Some(owner) = self.owner.get_untracked() {
            let shown = self.shown.get_untracked();
            store(&owner, &format(&shown, self.compact.get_untracked()));
        }
    }
}

/// "name,email,…;compact" (the stored form).
fn format(shown: &[Column], compact: bool) -> String {
    let keys: Vec<&str> = shown.iter().map(|c| c.key()).collect();
    format!(
        "{};{}",
        keys.join(","),
        if compact { "compact" } else { "" }
    )
}

fn parse(saved: &str) -> (Vec<Column>, bool) {
    let (keys, density) = saved.split_once(';').unwrap_or((saved, ""));
    let shown = Column::ALL
        .into_iter()
        .filter(|c| keys.split(',').any(|k| k == c.key()))
        .collect();
    (shown, density == "compact")
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn storage_key(owner: &str) -> String {
    format!("usher.users-table.{owner}")
}

#[allow(unused_variables)]
fn load(owner: &str) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        let storage = window().local_storage().ok().flatten()?;
        return storage.get_item(&storage_key(owner)).ok().flatten();
    }
    #[allow(unreachable_code)]
    None
}

#[allow(unused_variables)]
fn store(owner: &str, value: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(storage) = window().local_storage().ok().flatten() {
        let _ = storage.set_item(&storage_key(owner), value);
    }
}

/// "Columns": a menu of the columns, each ticked or not, and the compact
/// density.
#[component]
pub fn ColumnChooser(view: TableView) -> impl IntoView {
    let item = "flex w-full min-h-11 items-center gap-2 rounded px-2 text-left hover:bg-slate-100 sm:min-h-8 aria-checked:font-medium";
    let tick = |on: bool| if on { "✓" } else { "" };
    view! {
        <details class="relative" data-testid="columns">
            <summary class="inline-flex min-h-11 cursor-pointer list-none items-center rounded-md border border-slate-300 px-3 text-sm hover:bg-slate-100 sm:min-h-9">"Columns"</summary>
            <div role="menu" aria-label="Columns to show" class="absolute right-0 z-30 mt-1 w-56 rounded-md border border-slate-200 bg-white p-2 text-sm shadow">
                {Column::ALL.into_iter().map(|c| view! {
                    <button type="button" role="menuitemcheckbox" class=item
                        aria-checked=move || view.is_shown(c).to_string()
                        on:click=move |_| view.toggle(c, !view.is_shown(c))>
                        <span class="w-4 text-indigo-700" aria-hidden="true">{move || tick(view.is_shown(c))}</span>
                        {c.label()}
                    </button>
                }).collect_view()}
                <button type="button" role="menuitemcheckbox" class=format!("{item} mt-1 border-t border-slate-200")
                    aria-checked=move || view.compact.get().to_string()
                    on:click=move |_| { view.compact.update(|c| *c = !*c); view.save(); }>
                    <span class="w-4 text-indigo-700" aria-hidden="true">{move || tick(view.compact.get())}</span>
                    "Compact rows"
                </button>
            </div>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_choice_reads_back_in_table_order() {
        let saved = format(&[Column::Created, Column::Email], true);
        assert_eq!(parse(&saved), (vec![Column::Email, Column::Created], true));
        assert_eq!(parse("nonsense"), (vec![], false));
    }
}
