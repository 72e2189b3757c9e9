//! The console's button, input and link looks, named once: pages use these
//! instead of pasting the utility classes.

/// The one main action of a form or page (Save, Add user).
pub const PRIMARY: &str = "inline-flex min-h-11 sm:min-h-9 items-center justify-center rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-indigo-500 disabled:opacity-60";
/// Every other action.
pub const SECONDARY: &str = "inline-flex min-h-11 sm:min-h-9 items-center justify-center rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-800 hover:bg-slate-100 disabled:opacity-60";
/// An action that ends or removes something: never the primary one.
pub const DANGER: &str = "inline-flex min-h-11 sm:min-h-9 items-center justify-center rounded-md border border-red-300 bg-white px-3 py-1.5 text-sm text-red-700 hover:bg-red-50 disabled:opacity-60";
/// The confirming button inside a confirmation, once the person has asked.
pub const DANGER_CONFIRM: &str = "inline-flex min-h-11 sm:min-h-9 items-center justify-center rounded-md bg-red-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-red-500 disabled:opacity-60";
/// A text input or select in a form.
pub const INPUT: &str = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-base sm:text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500 aria-[invalid=true]:border-red-500";
/// A small field in a row of filters or a table's toolbar.
pub const COMPACT_INPUT: &str =
    "rounded-md border border-slate-300 px-2 py-1.5 text-base sm:text-sm";
/// A field's label above it.
pub const LABEL: &str = "block text-sm font-medium text-slate-700";
/// A link in running text: underlined, so it stands out by more than colour.
pub const LINK: &str = "text-indigo-700 underline underline-offset-2 hover:text-indigo-900";
