//! The demo school, made with the `verifier` command line exactly as the README tells a school to
//! (`init`, `form sign` of the example form, `form publish`, `invite`), so that `cargo xtask demo` and the end-to-end
//! browser tests start from what a real school would have, not from a shortcut into the library.
//!
//! Its roster has one family for each age rule: a child under 14 (a guardian decides alone), a
//! student of 14–17 (guardian and student co-sign) and a student of 18 or over (decides alone).
//! Birth dates are counted back from the day the school is made, so the ages hold whenever it is.

use anyhow::{bail, Context, Result};
use chrono::{Months, NaiveDate};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The family of a child under 14: guardian `s-1001-g1`.
pub const CHILD: &str = "s-1001";
/// The family of a student of 14–17: guardian `s-1002-g1`, student `s-1002-s`.
pub const TEEN: &str = "s-1002";
/// The family of a student of 18 or over: guardian `s-1003-g1`, student `s-1003-s`.
pub const ADULT: &str = "s-1003";

/// The school's data protection officer, who sees the whole school and answers rights requests.
pub const DPO: (&str, &str) = ("staff-dpo", "Dana Pop");
/// The teacher of class 9B (the family of [`TEEN`]), who sees that class's purposes only.
pub const TEACHER: (&str, &str, &str) = ("staff-teacher-9b", "Tomasz Nowak", "9B");

/// How long the demo's invitations stay valid: a year, so that a demo made today still opens
/// when someone comes back to it (a school would send them for a month, the default).
const DEMO_VALID_DAYS: &str = "365";

/// Where `invite` writes its two lists and the letters, inside the data directory.
const INVITATIONS_DIR: &str = "invitations";

/// A person the school invited, with the fragment of their link (`#invitation=…`).
#[derive(Debug, Clone)]
pub struct Invitee {
    /// Pseudonymous person id, e.g. `s-1002-s`.
    pub person: String,
    /// The name the invitation is addressed to.
    pub name: String,
    /// `#invitation=…`: what follows the consent page's address in the link.
    pub fragment: String,
    /// `#code=…`: what follows it in their printed letter's short link (families only).
    pub short_fragment: Option<String>,
}

/// A demo school's data directory, its public key and everyone it invited.
#[derive(Debug, Clone)]
pub struct DemoSchool {
    /// The `verifier --data` directory.
    pub data: PathBuf,
    /// The school's root public key, 64 hex digits, as `data-school-key` wants it.
    pub school_key: String,
    /// Everyone invited, in roster order.
    pub invitees: Vec<Invitee>,
    /// The staff invited to the console: the DPO, then the teacher; their fragments are
    /// `#staff-invitation=…`.
    pub staff: Vec<Invitee>,
}

impl DemoSchool {
    /// Opens the school in `data`, or makes it there (with `verifier` at `verifier`) when `data`
    /// holds none yet. `consent_page` is the address the invitation links open.
    pub fn open_or_create(verifier: &Path, data: &Path, consent_page: &str, today: NaiveDate) -> Result<DemoSchool> {
        if DemoSchool::exists(data) {
            DemoSchool::open(data)
        } else if data.exists() {
            bail!(
                "{} holds no complete demo school (was making one interrupted?): delete it and run again",
                data.display()
            )
        } else {
            DemoSchool::create(verifier, data, consent_page, today)
        }
    }

    /// Whether `data` holds a demo school made to the end (its staff links are the last step).
    pub fn exists(data: &Path) -> bool {
        staff_list(data).exists()
    }

    /// Makes a new school in `data` with the example form published and the demo roster invited.
    pub fn create(verifier: &Path, data: &Path, consent_page: &str, today: NaiveDate) -> Result<DemoSchool> {
        let form = data.join("form.toml");
        let signed_form = data.join("form-v1.json");
        let roster = data.join("roster.csv");
        run(verifier, data, &["init"])?;
        std::fs::write(&form, crate::fixtures::EXAMPLE_FORM_TOML)?;
        std::fs::write(&roster, roster_csv(today)?).with_context(|| format!("writing {}", roster.display()))?;
        run(
            verifier,
            data,
            &["form".as_ref(), "sign".as_ref(), form.as_os_str(), "--out".as_ref(), signed_form.as_os_str()],
        )?;
        run(verifier, data, &["form".as_ref(), "publish".as_ref(), signed_form.as_os_str()])?;
        let out_dir = data.join(INVITATIONS_DIR);
        let letters = letters_page(data);
        run(
            verifier,
            data,
            &[
                "invite".as_ref(),
                "--roster".as_ref(),
                roster.as_os_str(),
                "--base-url".as_ref(),
                consent_page.as_ref(),
                "--out-dir".as_ref(),
                out_dir.as_os_str(),
                "--valid-days".as_ref(),
                DEMO_VALID_DAYS.as_ref(),
                "--letters".as_ref(),
                letters.as_os_str(),
            ],
        )?;
        let console_page = console_page(consent_page);
        let (teacher, teacher_name, class) = TEACHER;
        let invite_staff = |person: &str, name: &str, role: &[&str]| -> Result<Vec<String>> {
            let mut args = vec!["staff", "invite", "--person", person, "--name", name, "--base-url", &console_page];
            args.extend(["--valid-days", DEMO_VALID_DAYS]);
            args.extend(role);
            let link = run(verifier, data, &args)?.trim().to_owned();
            Ok(vec![person.to_owned(), name.to_owned(), link])
        };
        let rows = [
            invite_staff(DPO.0, DPO.1, &["--role", "dpo"])?,
            invite_staff(teacher, teacher_name, &["--role", "teacher", "--class", class])?,
        ];
        let list = staff_list(data);
        let mut writer = csv::Writer::from_path(&list).with_context(|| format!("writing {}", list.display()))?;
        writer.write_record(["person", "name", "link"])?;
        for row in rows {
            writer.write_record(row)?;
        }
        writer.flush()?;
        DemoSchool::open(data)
    }

    /// Reminds everyone who has not answered, as a school without an SMTP server does:
    /// `verifier remind` writes the list `reminders.csv` beside the invitation lists and records
    /// each reminder. Returns what it printed.
    pub fn remind(&self, verifier: &Path, consent_page: &str) -> Result<String> {
        let out_dir = self.data.join(INVITATIONS_DIR);
        run(
            verifier,
            &self.data,
            &[
                "remind".as_ref(),
                "--base-url".as_ref(),
                consent_page.as_ref(),
                "--out-dir".as_ref(),
                out_dir.as_os_str(),
            ],
        )
    }

    /// Reads an existing demo school: its key and the links `invite` and `staff invite` wrote.
    pub fn open(data: &Path) -> Result<DemoSchool> {
        let key_file = data.join("school.pub");
        let school_key =
            std::fs::read_to_string(&key_file).with_context(|| format!("reading {}", key_file.display()))?;
        Ok(DemoSchool {
            data: data.to_owned(),
            school_key: school_key.trim().to_owned(),
            invitees: invitees(&invitation_list(data), 3)?,
            staff: invitees(&staff_list(data), 2)?,
        })
    }

    /// The link for `person` on the consent page at `consent_page`.
    pub fn link(&self, consent_page: &str, person: &str) -> Result<String> {
        Ok(format!("{consent_page}{}", self.invitee(person)?.fragment))
    }

    /// The short link of `person`'s printed letter, on the consent page at `consent_page`.
    pub fn short_link(&self, consent_page: &str, person: &str) -> Result<String> {
        match &self.invitee(person)?.short_fragment {
            Some(fragment) => Ok(format!("{consent_page}{fragment}")),
            None => bail!("`{person}` has no printed letter"),
        }
    }

    /// The printed letters `invite --letters` wrote, one A4 page per person invited.
    pub fn letters(&self) -> PathBuf {
        letters_page(&self.data)
    }

    /// The console link for the staff member `person`, on the console at `console_page`.
    pub fn staff_link(&self, console_page: &str, person: &str) -> Result<String> {
        match self.staff.iter().find(|i| i.person == person) {
            Some(staff) => Ok(format!("{console_page}{}", staff.fragment)),
            None => bail!("the demo school invited no staff member `{person}`"),
        }
    }

    /// The invitee `person`.
    pub fn invitee(&self, person: &str) -> Result<&Invitee> {
        match self.invitees.iter().find(|i| i.person == person) {
            Some(invitee) => Ok(invitee),
            None => bail!("the demo school invited no `{person}`"),
        }
    }

    /// Copies the built site (`www/` plus `widget/`) into `out`, putting this school's key where
    /// the pages say `SCHOOL_KEY` — what a school does once when it embeds the widget.
    pub fn stage_site(&self, built_site: &Path, out: &Path) -> Result<()> {
        copy_site(built_site, out, &self.school_key)
    }
}

fn invitation_list(data: &Path) -> PathBuf {
    data.join(INVITATIONS_DIR).join("invitations.csv")
}

fn letters_page(data: &Path) -> PathBuf {
    data.join(INVITATIONS_DIR).join("letters.html")
}

fn staff_list(data: &Path) -> PathBuf {
    data.join(INVITATIONS_DIR).join("staff.csv")
}

/// The staff console's address beside the consent page: `http://host/console/`.
pub fn console_page(consent_page: &str) -> String {
    let site = consent_page.rsplit_once('/').map_or(consent_page, |(site, _)| site);
    format!("{site}/console/")
}

/// The people in a list of links (person, name, …, the link in column `link_column`, and the
/// short link in a column `short_link`, if the list has one).
fn invitees(list: &Path, link_column: usize) -> Result<Vec<Invitee>> {
    let mut reader = csv::Reader::from_path(list).with_context(|| format!("reading {}", list.display()))?;
    let short_column = reader.headers()?.iter().position(|column| column == "short_link");
    let mut invitees = Vec::new();
    for record in reader.records() {
        let record = record.with_context(|| format!("reading {}", list.display()))?;
        let (Some(person), Some(name), Some(link)) = (record.get(0), record.get(1), record.get(link_column)) else {
            bail!("{}: a line without person, name and link", list.display());
        };
        let fragment = |link: &str| match link.find('#') {
            Some(at) => Ok(link[at..].to_owned()),
            None => bail!("{}: a link of {person} has no fragment", list.display()),
        };
        let short_fragment = short_column.and_then(|column| record.get(column)).map(&fragment).transpose()?;
        invitees.push(Invitee {
            person: person.to_owned(),
            name: name.to_owned(),
            fragment: fragment(link)?,
            short_fragment,
        });
    }
    Ok(invitees)
}

fn copy_site(from: &Path, to: &Path, school_key: &str) -> Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    let entries = std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))?;
    for entry in entries {
        let entry = entry?;
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        if entry.file_type()?.is_dir() {
            copy_site(&source, &target, school_key)?;
        } else if source.extension().is_some_and(|e| e == "html") {
            let page = std::fs::read_to_string(&source).with_context(|| format!("reading {}", source.display()))?;
            std::fs::write(&target, page.replace("SCHOOL_KEY", school_key))?;
        } else {
            std::fs::copy(&source, &target).with_context(|| format!("copying {}", source.display()))?;
        }
    }
    Ok(())
}

/// The roster: one family per age rule, ages counted back from `today`.
fn roster_csv(today: NaiveDate) -> Result<String> {
    let born = |years: u32, extra_months: u32| {
        today.checked_sub_months(Months::new(years * 12 + extra_months)).context("a birth date out of range")
    };
    let (child, teen, adult) = (born(9, 0)?, born(15, 0)?, born(18, 2)?);
    Ok(format!(
        "student_id,student_name,class,birth_date,student_email,guardian_name,guardian_email,guardian2_name,guardian2_email\n\
         {CHILD},Ana Popescu,4A,{child},,Maria Popescu,maria.popescu@example.org,,\n\
         {TEEN},Jan Kowalski,9B,{teen},jan.kowalski@example.org,Ewa Kowalska,ewa.kowalska@example.org,,\n\
         {ADULT},Elena Ionescu,12C,{adult},elena.ionescu@example.org,Radu Ionescu,radu.ionescu@example.org,,\n"
    ))
}

/// Runs `verifier --data DATA ARGS…`, failing with its output when it fails.
pub fn run(verifier: &Path, data: &Path, args: &[impl AsRef<std::ffi::OsStr>]) -> Result<String> {
    let output = Command::new(verifier)
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .with_context(|| format!("running {}", verifier.display()))?;
    let shown: Vec<_> = args.iter().map(|a| a.as_ref().to_string_lossy().into_owned()).collect();
    if !output.status.success() {
        bail!(
            "`verifier {}` failed ({}):\n{}{}",
            shown.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    String::from_utf8(output.stdout).with_context(|| format!("`verifier {}` wrote other than UTF-8", shown.join(" ")))
}
