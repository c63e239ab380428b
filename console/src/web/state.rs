//! The console's state as signals, and the actions the screens start. Each screen keeps its own
//! answer in a [`Load`] signal; an answer that says the staff member's access ended replaces
//! every screen with that sentence.

use super::browser::{self, Fetch, Local};
use crate::access::{self, Opened};
use crate::link;
use crate::problem::Problem;
use crate::school::School;
use crate::session::{Session, Slip};
use crate::texts::{self, Key};
use gloo_storage::{LocalStorage, Storage as _};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::de::DeserializeOwned;
use shared::console::{Me, Reminded};
use shared::objects::{Method, Outcome, StaffRole};
use shared::primitives::Digest;
use shared::Lang;

/// Where the staff member's language choice is kept.
const LANG_SLOT: &str = "school-console/lang";

/// The console's screens, each at its own fragment so that the browser's back button and a
/// bookmark work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// Per class and per purpose, at a glance.
    Overview,
    /// Families to ask.
    NotAnswered,
    /// Who may appear in a photo.
    PhotoCheck,
    /// Rights requests to decide.
    Requests,
    /// One student's record.
    Student,
}

impl Screen {
    /// Every screen, in the navigation bar's order.
    pub const ALL: [Screen; 5] =
        [Screen::Overview, Screen::NotAnswered, Screen::PhotoCheck, Screen::Requests, Screen::Student];

    /// The fragment and the `data-testid` suffix.
    pub fn name(self) -> &'static str {
        match self {
            Screen::Overview => "overview",
            Screen::NotAnswered => "not-answered",
            Screen::PhotoCheck => "photo-check",
            Screen::Requests => "requests",
            Screen::Student => "student",
        }
    }

    /// The navigation bar's word for it.
    pub fn title(self) -> Key {
        match self {
            Screen::Overview => Key::NavOverview,
            Screen::NotAnswered => Key::NavNotAnswered,
            Screen::PhotoCheck => Key::NavPhotoCheck,
            Screen::Requests => Key::NavRequests,
            Screen::Student => Key::NavStudent,
        }
    }

    /// Whether `role` may open it: a teacher has the overview and the photo check of their own
    /// classes; the lists with names and contacts, requests and records are the whole-school
    /// roles' (the service enforces the same from the certificate).
    pub fn open_to(self, role: StaffRole) -> bool {
        role.sees_whole_school() || matches!(self, Screen::Overview | Screen::PhotoCheck)
    }

    /// The screen a fragment names (`#photo-check`), if it names one: other fragments, like
    /// the skip link's `#main`, leave the screen as it is.
    fn named(fragment: &str) -> Option<Screen> {
        let name = fragment.trim_start_matches('#');
        Screen::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// How far the console got in opening.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// Verifying the school, the link or the kept key.
    Opening,
    /// No link and no key.
    NoAccess,
    /// Signed in; `me` is known.
    Ready,
    /// Cannot go on: the link is bad, or access ended.
    Failed(Problem),
}

/// An answer awaited (`None`), or arrived.
pub type Load<T> = RwSignal<Option<Result<T, Problem>>>;

/// What the status line says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// A sentence.
    Said(Key),
    /// A file was saved under this name.
    Saved(String),
}

/// Everything the screens read, and the handles to act. Signals are `Copy`.
#[derive(Clone, Copy)]
pub struct State {
    /// The language shown.
    pub lang: RwSignal<Lang>,
    /// How far opening got.
    pub phase: RwSignal<Phase>,
    /// The screen shown.
    pub screen: RwSignal<Screen>,
    /// Who the service says the staff member is.
    pub me: RwSignal<Option<Me>>,
    /// The status line.
    pub note: RwSignal<Option<Note>>,
    /// Why the last download failed, shown under the status line.
    pub action_error: RwSignal<Option<Problem>>,
    /// The school's verified keys and name.
    pub school: RwSignal<Option<School>>,
    session: RwSignal<Option<Session>>,
}

impl State {
    /// Fresh state: nothing verified yet.
    pub fn new() -> State {
        let lang = LocalStorage::get::<String>(LANG_SLOT)
            .ok()
            .and_then(|code| Lang::from_code(&code))
            .or_else(|| window().navigator().language().map(|tag| Lang::negotiate(&tag)))
            .unwrap_or(Lang::En);
        State {
            lang: RwSignal::new(lang),
            phase: RwSignal::new(Phase::Opening),
            screen: RwSignal::new(Screen::named(&browser::fragment()).unwrap_or(Screen::Overview)),
            me: RwSignal::new(None),
            note: RwSignal::new(None),
            action_error: RwSignal::new(None),
            school: RwSignal::new(None),
            session: RwSignal::new(None),
        }
    }

    /// The text of `key` in the language shown.
    pub fn text(self, key: Key) -> &'static str {
        texts::text(self.lang.get(), key)
    }

    /// The text of `key`, its placeholders filled.
    pub fn fill(self, key: Key, values: &[(&str, &str)]) -> String {
        texts::fill(self.lang.get(), key, values)
    }

    /// Shows `lang` from now on, and next time.
    pub fn choose_language(self, lang: Lang) {
        self.lang.set(lang);
        let _ = LocalStorage::set(LANG_SLOT, lang.code());
    }

    /// Follows the fragment: a new invitation link reloads the page (a new person starts from
    /// nothing); a screen's name shows that screen.
    pub fn follow_fragment(self) {
        let fragment = browser::fragment();
        if link::read_fragment(&fragment) != link::Fragment::Absent {
            browser::reload();
        } else if let Some(screen) = Screen::named(&fragment) {
            self.note.set(None);
            self.action_error.set(None);
            self.screen.set(screen);
        }
    }

    /// Verifies the school, then enrols with the link or resumes the kept key, then asks who
    /// the staff member is.
    pub fn open(self) {
        spawn_local(async move {
            match opened().await {
                Ok((school, Opened::NoAccess)) => {
                    self.school.set(Some(school));
                    self.phase.set(Phase::NoAccess);
                }
                Ok((school, Opened::Session { session, enrolled })) => {
                    if enrolled {
                        self.note.set(Some(Note::Said(Key::Enrolled)));
                    }
                    // The invitation was used (or was this browser's already): it leaves the address bar.
                    if link::read_fragment(&browser::fragment()) != link::Fragment::Absent {
                        browser::replace_fragment(&format!("#{}", self.screen.get_untracked().name()));
                    }
                    let me = session.get::<Me>(&Fetch, crate::routes::ME, browser::now()).await;
                    self.school.set(Some(school));
                    self.session.set(Some(*session));
                    match me {
                        Ok(me) => {
                            self.me.set(Some(me));
                            self.phase.set(Phase::Ready);
                        }
                        Err(problem) => self.phase.set(Phase::Failed(problem)),
                    }
                }
                Err(problem) => self.phase.set(Phase::Failed(problem)),
            }
        });
    }

    /// Asks for `path` and puts the answer in `into` (clearing it first, so the screen says it
    /// is loading).
    pub fn get<T: DeserializeOwned + Send + Sync + 'static>(self, path: String, into: Load<T>) {
        into.set(None);
        let Some(session) = self.session.get_untracked() else { return };
        spawn_local(async move {
            let answer = session.get(&Fetch, &path, browser::now()).await;
            into.set(Some(self.noticed(answer)));
        });
    }

    /// Asks for `path` and saves the answer as it came, as the file `name` of type `mime`.
    pub fn download(self, path: String, name: String, mime: &'static str) {
        let Some(session) = self.session.get_untracked() else { return };
        self.note.set(Some(Note::Said(Key::Loading)));
        self.action_error.set(None);
        spawn_local(async move {
            let saved = async {
                let bytes = session.call(&Fetch, Method::Get, &path, None, browser::now()).await?;
                browser::save_file(&name, mime, &bytes)
            };
            match self.noticed(saved.await) {
                Ok(()) => self.note.set(Some(Note::Saved(name))),
                Err(problem) => {
                    self.note.set(None);
                    self.action_error.set(Some(problem));
                }
            }
        });
    }

    /// Asks for the letters page at `path` and hands it to the browser's print dialog, through
    /// the hidden frame `frame` (the console's page itself stays as it is).
    pub fn print_letters(self, path: String, frame: RwSignal<Option<String>>) {
        let Some(session) = self.session.get_untracked() else { return };
        self.note.set(Some(Note::Said(Key::Loading)));
        self.action_error.set(None);
        spawn_local(async move {
            let page = session.call(&Fetch, Method::Get, &path, None, browser::now()).await;
            match self.noticed(page.and_then(|page| browser::document_url(&page, "text/html"))) {
                Ok(url) => {
                    self.note.set(None);
                    if let Some(old) = frame.get_untracked() {
                        browser::forget_url(&old);
                    }
                    frame.set(Some(url));
                }
                Err(problem) => {
                    self.note.set(None);
                    self.action_error.set(Some(problem));
                }
            }
        });
    }

    /// Signs and sends a decision on `request`; `done` gets the outcome, and `then` runs once
    /// the archive's decision verified.
    pub fn decide(
        self,
        request: Digest,
        outcome: Outcome,
        reason: String,
        done: RwSignal<Option<Result<(), Problem>>>,
        then: impl FnOnce() + 'static,
    ) {
        let Some(session) = self.session.get_untracked() else { return };
        let decided = async move { session.decide(&Fetch, request, outcome, &reason, browser::now()).await.map(drop) };
        self.send_signed(decided, Key::DecisionSent, done, then);
    }

    /// Whether the certificate lets this staff member record paper slips (the service checks
    /// the same rule).
    pub fn may_record_paper_slips(self) -> bool {
        self.session.with(|s| s.as_ref().is_some_and(|s| s.certificate().body().may_record_paper_slips()))
    }

    /// Signs and sends the record of `slip`; `done` gets the outcome, and `then` runs once the
    /// archive's acknowledgement verified.
    pub fn record_paper(self, slip: Slip, done: RwSignal<Option<Result<(), Problem>>>, then: impl FnOnce() + 'static) {
        let Some(session) = self.session.get_untracked() else { return };
        let recorded = async move { session.record_paper(&Fetch, slip, browser::now()).await.map(drop) };
        self.send_signed(recorded, Key::PaperRecorded, done, then);
    }

    /// Runs `sending`, a signed object's sending; `done` gets the outcome, and on success the
    /// status line says `sent` and `then` runs.
    fn send_signed(
        self,
        sending: impl std::future::Future<Output = Result<(), Problem>> + 'static,
        sent: Key,
        done: RwSignal<Option<Result<(), Problem>>>,
        then: impl FnOnce() + 'static,
    ) {
        spawn_local(async move {
            let outcome = self.noticed(sending.await);
            let succeeded = outcome.is_ok();
            done.set(Some(outcome));
            if succeeded {
                self.note.set(Some(Note::Said(sent)));
                then();
            }
        });
    }

    /// Has the school remind the families on the "not answered" list; `done` gets what it did,
    /// the list (when there is one) is saved as `file`, and `then` runs once it is recorded.
    pub fn remind(self, file: String, done: Load<Reminded>, then: impl FnOnce() + 'static) {
        let Some(session) = self.session.get_untracked() else { return };
        done.set(None);
        self.note.set(Some(Note::Said(Key::SendingReminders)));
        self.action_error.set(None);
        spawn_local(async move {
            let reminded = self.noticed(session.remind(&Fetch, None, browser::now()).await);
            self.note.set(None);
            if let Ok(Reminded { list: Some(list), .. }) = &reminded {
                match browser::save_file(&file, "text/csv", list.as_bytes()) {
                    Ok(()) => self.note.set(Some(Note::Saved(file))),
                    Err(problem) => self.action_error.set(Some(problem)),
                }
            }
            let recorded = reminded.is_ok();
            done.set(Some(reminded));
            if recorded {
                then();
            }
        });
    }

    /// An answer, after ending the session if it says access ended.
    fn noticed<T>(self, answer: Result<T, Problem>) -> Result<T, Problem> {
        if let Err(problem) = &answer {
            if problem.ends_access() {
                self.phase.set(Phase::Failed(problem.clone()));
            }
        }
        answer
    }
}

/// The school, then how the console opens.
async fn opened() -> Result<(School, Opened), Problem> {
    let school = School::load(&Fetch).await?;
    let fragment = link::read_fragment(&browser::fragment());
    let opened = access::open(&Fetch, &Local, &school, fragment, browser::now()).await?;
    Ok((school, opened))
}
