//! The overview: per class, students, invited, answered and not answered; per purpose, the
//! share in effect; and the log's size, last checkpoint and last passed check.

use crate::routes;
use crate::texts::Key;
use crate::web::parts::{loaded, share, when};
use crate::web::state::State;
use leptos::prelude::*;
use shared::console::Overview;

/// The screen.
pub fn show(state: State) -> impl IntoView {
    let overview = RwSignal::new(None);
    state.get(routes::OVERVIEW.to_owned(), overview);
    view! {
        <h2>{move || state.text(Key::OverviewTitle)}</h2>
        {loaded(state, overview, move |overview| tables(state, overview))}
    }
}

fn tables(state: State, overview: Overview) -> impl IntoView {
    let text = move |key| move || state.text(key);
    let never = move || state.text(Key::Never).to_owned();
    let (checkpoint, check) = (overview.last_checkpoint, overview.last_check);
    view! {
        <div class="scroll" tabindex="0">
            <table data-testid="overview-classes">
                <caption>{text(Key::OverviewClasses)}</caption>
                <thead><tr>
                    <th scope="col">{text(Key::ColClass)}</th>
                    <th scope="col" class="number">{text(Key::ColStudents)}</th>
                    <th scope="col" class="number">{text(Key::ColInvited)}</th>
                    <th scope="col" class="number">{text(Key::ColAnswered)}</th>
                    <th scope="col" class="number">{text(Key::ColNotAnswered)}</th>
                    <th scope="col">{text(Key::ColShareAnswered)}</th>
                </tr></thead>
                <tbody>
                    {overview.classes.into_iter().map(|row| view! {
                        <tr data-testid="row" data-class=row.class.clone()>
                            <th scope="row">{row.class.clone()}</th>
                            <td class="number">{row.students}</td>
                            <td class="number">{row.invited}</td>
                            <td class="number">{row.answered}</td>
                            <td class="number">{row.not_answered}</td>
                            <td>{share(state, row.answered, row.students)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <div class="scroll" tabindex="0">
            <table data-testid="overview-purposes">
                <caption>{text(Key::OverviewPurposes)}</caption>
                <thead><tr>
                    <th scope="col">{text(Key::ColPurpose)}</th>
                    <th scope="col">{text(Key::ColInEffect)}</th>
                </tr></thead>
                <tbody>
                    {overview.purposes.into_iter().map(|row| {
                        let title = row.purpose.title;
                        let marked = title.clone();
                        view! {
                            <tr data-testid="row" data-purpose=row.purpose.id.to_string()>
                                <th scope="row" lang=move || marked.lang_attribute(state.lang.get())>
                                    {move || title.get(state.lang.get()).to_owned()}
                                </th>
                                <td>{share(state, row.in_effect, row.students)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <h3>{text(Key::OverviewLog)}</h3>
        <dl class="facts" data-testid="overview-log">
            <dt>{text(Key::LogSize)}</dt>
            <dd>{overview.log_size}</dd>
            <dt>{text(Key::LastCheckpoint)}</dt>
            <dd>{move || checkpoint.map_or_else(never, when)}</dd>
            <dt>{text(Key::LastCheck)}</dt>
            <dd>{move || check.map_or_else(never, when)}</dd>
        </dl>
    }
}
